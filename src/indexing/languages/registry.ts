import { c, cpp } from './c.js'
import { csharp } from './csharp.js'
import { go } from './go.js'
import { java } from './java.js'
import type { LanguageSpec } from './language-spec.js'
import { php } from './php.js'
import { python } from './python.js'
import { ruby } from './ruby.js'
import { rust } from './rust.js'
import { TEXT_ONLY } from './text-only.js'
import { javascript, tsx, typescript } from './typescript.js'

/** Every language with a grammar, in the order an extension is looked up (`.h` is C unless its content says C++). */
export const PARSED_LANGUAGES: ReadonlyArray<LanguageSpec> = [
  typescript,
  tsx,
  javascript,
  python,
  go,
  rust,
  java,
  c,
  cpp,
  csharp,
  ruby,
  php,
]

const byExtension = new Map<string, LanguageSpec>()
const byFilename = new Map<string, LanguageSpec>()
for (const spec of [...PARSED_LANGUAGES, ...TEXT_ONLY]) {
  for (const extension of spec.extensions) if (!byExtension.has(extension)) byExtension.set(extension, spec)
  for (const filename of spec.filenames ?? []) byFilename.set(filename, spec)
}

/** The extension as codeindex stores it: from the last dot of the file name, lower-cased; '' for none. */
export function extensionOf(filename: string): string {
  const dot = filename.lastIndexOf('.')
  return dot <= 0 ? '' : filename.slice(dot).toLowerCase()
}

/**
 * The language of a file, from its name (and, for a `.h` header, its content: C++ headers are common, and the C
 * grammar would lose their classes and namespaces). `undefined`: an unknown kind of text, indexed by name, path and
 * content only.
 */
export function languageOf(filename: string, content?: string): LanguageSpec | undefined {
  const named = byFilename.get(filename)
  if (named) return named
  const extension = extensionOf(filename)
  if (extension === '.h' && content !== undefined) return byExtension.get(looksLikeCpp(content) ? '.hpp' : '.c')
  return byExtension.get(extension)
}

/** Whether a header uses C++ only constructs. */
export function looksLikeCpp(content: string): boolean {
  return /\b(class|namespace|template\s*<|public:|private:|protected:|virtual|constexpr|nullptr)\b|::|#include\s*<(iostream|string|vector|memory|map)>/.test(
    content,
  )
}

/** A parsed language by its id. */
export function languageById(id: string): LanguageSpec | undefined {
  return PARSED_LANGUAGES.find((spec) => spec.id === id) ?? TEXT_ONLY.find((spec) => spec.id === id)
}
