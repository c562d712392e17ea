import { beforeAll, describe, expect, it } from 'vitest'
import { Extractor } from '../../../src/indexing/extractor.js'
import type { Extraction } from '../../../src/indexing/languages/language-spec.js'
import { python } from '../../../src/indexing/languages/python.js'
import { languageOf } from '../../../src/indexing/languages/registry.js'
import { decorated, docstrings, exportedNames, indexed, outline, symbolTable } from './extraction-helpers.js'

const SOURCE = `"""Billing helpers."""
import os
import json as j
from decimal import Decimal, ROUND_HALF_UP
from . import models
from ..core.money import Money as Cash

TAX_RATE = 0.2
_cache = {}


@dataclass(frozen=True)
class Invoice(Base):
    """An invoice.

    Totals are in cents.
    """

    currency: str = "EUR"

    def __init__(self, lines, *extra, discount=0, **options):
        self.lines = lines
        total = 0

    @property
    def total(self) -> int:
        return sum(line.amount for line in self.lines)


# Rounds half up.
def _round(value: float, places: int = 2):
    def step(x):
        return x
    for digit in str(value):
        result = Decimal(digit)
    return result
`

describe('the Python spec', () => {
  let extraction: Extraction
  beforeAll(async () => {
    extraction = await new Extractor().extract(python, SOURCE)
  })

  it('finds module-level names, classes, fields, methods and nested functions, each under its enclosing definition', () => {
    expect(outline(extraction)).toEqual([
      ['TAX_RATE', 'constant', 8, null],
      ['_cache', 'variable', 9, null],
      ['Invoice', 'class', 13, null],
      ['currency', 'field', 19, 'Invoice'],
      ['__init__', 'method', 21, 'Invoice'],
      ['total', 'method', 26, 'Invoice'],
      ['_round', 'function', 31, null],
      ['step', 'function', 32, '_round'],
    ])
  })

  it('exports names without a leading underscore that are not local to a function', () => {
    expect(exportedNames(extraction)).toEqual(['TAX_RATE', 'Invoice', 'currency', 'total'])
  })

  it('reads the docstring of a class, cleaned of its indentation, and the comment above a def without one', () => {
    expect(docstrings(extraction)).toEqual([
      ['Invoice', 'An invoice.\n\nTotals are in cents.'],
      ['_round', 'Rounds half up.'],
    ])
  })

  it('keeps the decorators of classes and methods', () => {
    expect(decorated(extraction)).toEqual([
      ['Invoice', ['@dataclass(frozen=True)']],
      ['total', ['@property']],
    ])
  })

  it('records imports with their aliases and from-imports with their names, relative dots kept', () => {
    expect(extraction.imports).toEqual([
      { module: 'os', kind: 'import', names: [], line: 2 },
      { module: 'json', kind: 'import', names: ['j'], line: 3 },
      { module: 'decimal', kind: 'import', names: ['Decimal', 'ROUND_HALF_UP'], line: 4 },
      { module: '.', kind: 'import', names: ['models'], line: 5 },
      { module: '..core.money', kind: 'import', names: ['Money'], line: 6 },
    ])
  })

  it('records parameters but self, self attributes as fields, and locals assigned directly in a function body', () => {
    expect(symbolTable(extraction)).toEqual([
      ['lines', 'parameter', 21, '__init__'],
      ['extra', 'parameter', 21, '__init__'],
      ['discount', 'parameter', 21, '__init__'],
      ['options', 'parameter', 21, '__init__'],
      ['lines', 'field', 22, '__init__'],
      ['total', 'local', 23, '__init__'],
      ['value', 'parameter', 31, '_round'],
      ['places', 'parameter', 31, '_round'],
      ['x', 'parameter', 32, 'step'],
      ['digit', 'local', 34, '_round'],
    ])
  })
})

describe('Python import resolution', () => {
  it('resolves `from . import` to the package of the importing file', () => {
    expect(python.resolveImport!('.', 'billing/invoice.py', indexed('billing/__init__.py'))).toBe('billing/__init__.py')
  })

  it('climbs one folder per extra dot and prefers a module file to a package', () => {
    const exists = indexed('app/core/money.py', 'app/core/money/__init__.py')
    expect(python.resolveImport!('..core.money', 'app/billing/invoice.py', exists)).toBe('app/core/money.py')
  })

  it('resolves a relative module to a package when there is no module file', () => {
    const exists = indexed('app/billing/models/__init__.py')
    expect(python.resolveImport!('.models', 'app/billing/invoice.py', exists)).toBe('app/billing/models/__init__.py')
  })

  it('leaves absolute imports and imports above the root unresolved', () => {
    const exists = indexed('os.py', 'money.py')
    expect([python.resolveImport!('os', 'app.py', exists), python.resolveImport!('..money', 'app.py', exists)]).toEqual([undefined, undefined])
  })
})

describe('the Python file type', () => {
  it('is recognised by the .py extension', () => {
    expect(languageOf('billing/invoice.py')).toBe(python)
  })
})
