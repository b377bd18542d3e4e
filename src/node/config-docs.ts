/**
 * Renders docs/configuration.md from the configuration schema, so the documentation of every
 * option, its default and its environment variable cannot drift from the code.
 */
import { ENV_SHORTCUTS, NodeConfigFile } from './config.ts'
import { typeOf } from './config-error.ts'

type Schema = Record<string, unknown>

interface OptionRow {
  path: string
  type: string
  defaultValue: unknown
  description: string
}

/** The Markdown of docs/configuration.md. */
export function renderConfigDocs(): string {
  const rows = collect(NodeConfigFile as unknown as Schema, [])
  const lines = [
    '# Configuration',
    '',
    '<!-- Generated from src/node/config.ts by `npm run docs:config`; do not edit by hand. -->',
    '',
    'A node needs no configuration: `npm start` runs with the defaults below. To change them, pass',
    'a JSON file with `mega node --config mega.json` (or `MEGA_CONFIG=mega.json`), and/or set',
    'environment variables, which override the file. Unknown options and out-of-range values are',
    'refused at start with the option named.',
    '',
    'Every option has an environment variable: `MEGA_` + the path in upper snake case, segments',
    'joined by `__` (for example `mempool.maxOracles` → `MEGA_MEMPOOL__MAX_ORACLES=5000`). Values',
    'are parsed as JSON when they parse (`true`, `12`, `{"index":0,"count":2}`), else taken as text.',
    'Shortcuts:',
    '',
    ...Object.entries(ENV_SHORTCUTS).map(([name, target]) => `- \`${name}\` → \`${target}\``),
    '',
    '| option | type | default | environment | description |',
    '|---|---|---|---|---|',
    ...rows.map(
      (row) =>
        `| \`${row.path}\` | ${row.type} | ${row.defaultValue === undefined ? '—' : `\`${JSON.stringify(row.defaultValue)}\``} | \`${envName(row.path)}\` | ${row.description} |`,
    ),
    '',
    'Example `mega.json`:',
    '',
    '```json',
    JSON.stringify(
      {
        dataDir: '/var/lib/mega',
        http: { host: '0.0.0.0', port: 8080 },
        log: { level: 'info' },
        mempool: { maxOracles: 50000, minBits: { oracle: 20 }, shard: { index: 0, count: 2 } },
        network: {
          listen: ['/ip4/0.0.0.0/tcp/9090', '/ip4/0.0.0.0/tcp/9091/ws'],
          announce: ['/dns4/mega.example.org/tcp/9090'],
          bootstrap: [
            '/dns4/seed.example.org/tcp/9090/p2p/12D3KooWRSTKGFKRDe3P3jKGU9tZ7Vy1DpaSB3bjZN5xfVb8ru8s',
          ],
        },
      },
      null,
      2,
    ),
    '```',
    '',
  ]
  return lines.join('\n')
}

function collect(schema: Schema, path: string[]): OptionRow[] {
  const properties = schema.properties as Record<string, Schema> | undefined
  if (schema.type === 'object' && properties) {
    return Object.entries(properties).flatMap(([key, child]) => collect(child, [...path, key]))
  }
  return [
    {
      path: path.join('.'),
      type: typeOf(schema).replaceAll(' | ', ' \\| '),
      defaultValue: schema.default,
      description: describe(schema),
    },
  ]
}

function describe(schema: Schema): string {
  return String(schema.description ?? '')
}

function envName(path: string): string {
  const snake = (segment: string) => segment.replace(/([A-Z])/g, '_$1').toUpperCase()
  return `MEGA_${path.split('.').map(snake).join('__')}`
}
