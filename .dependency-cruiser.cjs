/**
 * The layers of src/ and which way their imports point, checked by `npm run lint`
 * (dependency-cruiser). README.md's "Layout" draws the same table; change both together.
 *
 * A layer is a folder under src/. `uses` are the layers it may import at run time; `typesFrom`
 * the layers it may import types from only (erased when the code runs). Inside a layer, files
 * import each other directly; from outside, only through the layer's `index.ts`.
 */

/** @type {Record<string, { uses: string[], typesFrom?: string[] }>} */
const LAYERS = {
  // The protocol core: pure, no I/O, runs in browsers.
  protocol: { uses: [] },
  miner: { uses: ['protocol'] },
  sync: { uses: ['protocol'] },
  mempool: { uses: ['protocol'] },
  keys: { uses: ['protocol'] },
  http: { uses: ['protocol'] },
  client: { uses: ['protocol'] },
  contracts: { uses: ['protocol'] },
  store: { uses: ['mempool', 'protocol'] },
  facts: { uses: ['client', 'mempool', 'protocol', 'store', 'sync'] },
  network: { uses: ['mempool', 'protocol', 'sync'] },
  // The dashboard reads the node's JSON, whose shapes it takes from the layers that define them.
  dashboard: { uses: ['client', 'protocol'], typesFrom: ['facts', 'mempool', 'network'] },
  'web-trader': { uses: ['client', 'dashboard', 'miner', 'protocol', 'trader'] },
  api: {
    uses: ['client', 'dashboard', 'facts', 'http', 'mempool', 'network', 'protocol', 'store', 'web-trader'],
  },
  // The two toolkits: neither imports the other, nor the command line.
  oracle: { uses: ['client', 'http', 'keys', 'miner', 'protocol'] },
  trader: { uses: ['client', 'contracts', 'keys', 'miner', 'protocol'] },
  node: { uses: ['api', 'facts', 'mempool', 'network', 'oracle', 'protocol', 'store', 'sync'] },
  // src/cli, the command line, is the edge: it may import any layer, and none imports it.
}

/**
 * Modules the browser bundles (dashboard UI, trader page, its miner worker) import directly,
 * because their layer's index.ts also exports Node-only modules (worker_threads, node:sqlite,
 * node:fs) that a browser bundle cannot hold: the trader's pure rules and the nonce scheduler.
 */
const BROWSER_SAFE_DEEP = [
  '^src/miner/scheduler\\.ts$',
  // The numeric CET count an offer's curve needs (the trader's offer rules), without the DLC library.
  '^src/contracts/(errors|numeric)\\.ts$',
  '^src/trader/(collect|conflicts|detect|errors|facts|matching|message-store|offers|oracle-facts|policy|reports|seal)\\.ts$',
]

/**
 * Modules a worker thread imports directly, so that each thread it starts loads only what it runs:
 * a mining thread needs the nonce search kernel, not the message schemas of the protocol's index.
 */
const THREAD_DEEP = ['^src/protocol/sha256-kernel\\.ts$']

/** Worker-thread entry points, which alone may import {@link THREAD_ONLY_DEEP} directly. */
const THREAD_ENTRIES = '^src/node/signature-thread\\.ts$'

/** What a signature thread runs: the wire text, the canonical checks, ids, signatures, the verified-id key. */
const THREAD_ONLY_DEEP = [
  '^src/protocol/(canonical|hex|message|sign)\\.ts$',
  '^src/protocol/messages/index\\.ts$',
  '^src/mempool/verified-ids\\.ts$',
]

/** The protocol's platform cryptography, imported by its alias `#crypto` (package.json `imports`). */
const CRYPTO_ADAPTER = '^src/protocol/crypto/(node|web)\\.ts$'

/** Browser code: bundled by esbuild, so it may not reach Node's built-in modules. */
const BROWSER = '^src/(dashboard/ui|web-trader/(?!assets\\.ts$))'

const folders = (names) => `^src/(${names.join('|')})/`

const layerRules = Object.entries(LAYERS).flatMap(([name, { uses, typesFrom = [] }]) => [
  {
    name: `layer-${name}`,
    comment: `src/${name} imports only ${uses.length ? uses.join(', ') : 'nothing of ours'}${typesFrom.length ? ` (types also from ${typesFrom.join(', ')})` : ''}`,
    severity: 'error',
    from: { path: `^src/${name}/` },
    to: { path: '^src/', pathNot: folders([name, ...uses, ...typesFrom]) },
  },
  ...(typesFrom.length
    ? [
        {
          name: `layer-${name}-types-only`,
          comment: `src/${name} imports only types from ${typesFrom.join(', ')}`,
          severity: 'error',
          from: { path: `^src/${name}/` },
          to: { path: folders(typesFrom), dependencyTypesNot: ['type-only'] },
        },
      ]
    : []),
])

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'cli-at-the-edge',
      comment: 'nothing in src imports the command line (bin/ does)',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/cli/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'protocol-without-node',
      comment: 'the protocol core runs in browsers: Node built-ins only behind the #crypto adapter',
      severity: 'error',
      from: { path: '^src/protocol/', pathNot: '^src/protocol/crypto/node\\.ts$' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'browser-without-node',
      comment:
        'the browser bundles import no Node built-in (what they import is held to the same by the layer rules and esbuild)',
      severity: 'error',
      from: { path: BROWSER },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'browser-imports',
      comment:
        'the dashboard UI and the trader page import the protocol, the clients and the trader rules only',
      severity: 'error',
      from: { path: BROWSER },
      to: {
        path: '^src/',
        pathNot: [folders(['protocol', 'client', 'dashboard/ui', 'web-trader']), ...BROWSER_SAFE_DEEP],
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'through-index',
      comment:
        "another layer's modules are imported through its index.ts (#crypto and BROWSER_SAFE_DEEP excepted)",
      severity: 'error',
      from: { path: '^src/([^/]+)/', pathNot: THREAD_ENTRIES },
      to: {
        path: '^src/[^/]+/',
        pathNot: ['^src/$1/', '^src/[^/]+/index\\.ts$', CRYPTO_ADAPTER, ...BROWSER_SAFE_DEEP, ...THREAD_DEEP],
      },
    },
    {
      name: 'through-index-threads',
      comment: 'a worker thread imports only the few modules it runs, each by its own path, or an index.ts',
      severity: 'error',
      from: { path: THREAD_ENTRIES },
      to: {
        path: '^src/(?!node/)[^/]+/',
        pathNot: ['^src/[^/]+/index\\.ts$', CRYPTO_ADAPTER, ...THREAD_DEEP, ...THREAD_ONLY_DEEP],
      },
    },
    {
      name: 'no-circular',
      comment: 'no import cycles, type-only ones included',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
  ],
  options: {
    // TypeScript 7 has no JavaScript API: swc parses the sources, type-only imports included.
    parser: 'swc',
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['node', 'import', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.json'],
    },
    cache: false,
  },
}
