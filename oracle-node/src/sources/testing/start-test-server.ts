/**
 * A real HTTP server on 127.0.0.1 with an ephemeral port, for tests of the source layer. `close()` also
 * cuts connections a hostile handler keeps open (a slow body), so a test never waits on them.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export type TestServer = {
  origin: string
  port: number
  close(): Promise<void>
}

export async function startTestServer(handler: http.RequestListener): Promise<TestServer> {
  const server = http.createServer(handler)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
