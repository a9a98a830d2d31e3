/** Compiler settings shared by the artifact build and the forge wrapper, so gas figures agree. */
export const solcSettings = {
  optimizer: { enabled: true, runs: 10_000 },
  evmVersion: 'cancun',
  viaIR: true,
} as const
