import type { LanguageSpec } from './language-spec.js'

/** Languages indexed by name, path and content only: no grammar is loaded for them. */
export const TEXT_ONLY: ReadonlyArray<LanguageSpec> = [
  { id: 'json', extensions: ['.json', '.jsonc', '.json5'] },
  { id: 'yaml', extensions: ['.yaml', '.yml'] },
  { id: 'toml', extensions: ['.toml'] },
  { id: 'markdown', extensions: ['.md', '.mdx', '.markdown'] },
  { id: 'css', extensions: ['.css', '.scss', '.sass', '.less'] },
  { id: 'html', extensions: ['.html', '.htm', '.vue', '.svelte'] },
  { id: 'xml', extensions: ['.xml', '.svg', '.xsd'] },
  { id: 'sql', extensions: ['.sql'] },
  { id: 'shell', extensions: ['.sh', '.bash', '.zsh', '.fish'] },
  { id: 'kotlin', extensions: ['.kt', '.kts'] },
  { id: 'swift', extensions: ['.swift'] },
  { id: 'scala', extensions: ['.scala'] },
  { id: 'lua', extensions: ['.lua'] },
  { id: 'dart', extensions: ['.dart'] },
  { id: 'elixir', extensions: ['.ex', '.exs'] },
  { id: 'zig', extensions: ['.zig'] },
  { id: 'text', extensions: ['.txt', '.rst', '.csv', '.ini', '.cfg', '.conf', '.env'] },
  { id: 'make', extensions: ['.mk'], filenames: ['Makefile', 'GNUmakefile'] },
  { id: 'docker', extensions: [], filenames: ['Dockerfile'] },
]
