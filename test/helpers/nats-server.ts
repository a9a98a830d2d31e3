/** A real nats-server with JetStream for tests: the same module the demo and the benchmarks use. */
export { startNatsServer, removeNatsStore as removeStore, type NatsServer } from '@sibyl/devnet/start-nats-server'
