/**
 * The network the end-to-end tests run on: the demo's whole network (startDemoNetwork: anvil, nats-server, the
 * demo sites, real nodes with the test models folder, a real aggregator), without the feed, since the tests ask
 * questions. Ask through a market with askThroughMarket; watch the traffic with watchNetwork.
 */
import { resolveTestModelsDir } from '@sibyl/oracle-node/testing/test-models-dir'
import { startDemoNetwork, type DemoNetwork, type StartDemoNetworkParameters } from './start-demo-network.ts'

/** The demo network with the test models folder and no feed; any parameter may be overridden. */
export function startE2eNetwork(parameters: StartDemoNetworkParameters = {}): Promise<DemoNetwork> {
  return startDemoNetwork({ modelsDir: resolveTestModelsDir(), feed: false, ...parameters })
}
