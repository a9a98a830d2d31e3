/**
 * A certificate authority and server certificates for a deployment's NATS servers, made offline: RSA-2048 keys
 * from node:crypto, certificates built and signed by node-forge (pure JavaScript, no openssl binary needed, so
 * the same code runs in the slim container image). A real deployment may bring its own CA and certificates
 * instead; the server configs only name files.
 *
 * A server certificate is valid for the names and addresses clients and the other servers use to reach it, and
 * for both server and client authentication: cluster routes are mutual TLS with the same certificate.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { isIP } from 'node:net'
import forge from 'node-forge'

export type PemPair = { certPem: string; keyPem: string }

const DAY_MS = 24 * 60 * 60 * 1000

function newKey(): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey; keyPem: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } })
  const forgeKey = forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey
  return { privateKey: forgeKey, publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e), keyPem: privateKey }
}

function serial(): string {
  // Positive: the first bit clear.
  const bytes = randomBytes(16)
  bytes[0] = bytes[0]! & 0x7f
  return bytes.toString('hex')
}

function validity(cert: forge.pki.Certificate, days: number, nowMs: number): void {
  cert.validity.notBefore = new Date(nowMs - 5 * 60 * 1000)
  cert.validity.notAfter = new Date(nowMs + days * DAY_MS)
}

export type CreateCertificateAuthorityParameters = { commonName?: string; validDays?: number; nowMs?: number }

export function createCertificateAuthority({ commonName = 'Sibyl NATS CA', validDays = 3650, nowMs = Date.now() }: CreateCertificateAuthorityParameters = {}): PemPair {
  const key = newKey()
  const cert = forge.pki.createCertificate()
  cert.publicKey = key.publicKey
  cert.serialNumber = serial()
  validity(cert, validDays, nowMs)
  const name = [{ name: 'commonName', value: commonName }, { name: 'organizationName', value: 'Sibyl' }]
  cert.setSubject(name)
  cert.setIssuer(name)
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ])
  cert.sign(key.privateKey, forge.md.sha256.create())
  return { certPem: forge.pki.certificateToPem(cert), keyPem: key.keyPem }
}

export type IssueServerCertificateParameters = {
  ca: PemPair
  commonName: string
  /** DNS names and IP addresses the certificate is valid for. */
  hosts: readonly string[]
  validDays?: number
  nowMs?: number
}

export function issueServerCertificate({ ca, commonName, hosts, validDays = 825, nowMs = Date.now() }: IssueServerCertificateParameters): PemPair {
  const caCert = forge.pki.certificateFromPem(ca.certPem)
  const caKey = forge.pki.privateKeyFromPem(ca.keyPem)
  const key = newKey()
  const cert = forge.pki.createCertificate()
  cert.publicKey = key.publicKey
  cert.serialNumber = serial()
  validity(cert, validDays, nowMs)
  cert.setSubject([{ name: 'commonName', value: commonName }, { name: 'organizationName', value: 'Sibyl' }])
  cert.setIssuer(caCert.subject.attributes)
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
    { name: 'subjectAltName', altNames: hosts.map((h) => (isIP(h) ? { type: 7, ip: h } : { type: 2, value: h })) },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ])
  cert.sign(caKey, forge.md.sha256.create())
  return { certPem: forge.pki.certificateToPem(cert), keyPem: key.keyPem }
}
