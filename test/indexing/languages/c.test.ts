import { beforeAll, describe, expect, it } from 'vitest'
import { Extractor } from '../../../src/indexing/extractor.js'
import { c, cpp } from '../../../src/indexing/languages/c.js'
import type { Extraction } from '../../../src/indexing/languages/language-spec.js'
import { languageOf } from '../../../src/indexing/languages/registry.js'
import { docstrings, exportedNames, indexed, outline, symbolTable } from './extraction-helpers.js'

const SOURCE = `#ifndef BILLING_H
#define BILLING_H

#include <stdint.h>
#include "money/currency.h"

#define TAX_RATE 0.2
#define CENTS(x) ((x) * 100)

/* A line of an invoice. */
typedef struct line {
    const char *label;
    int64_t amount, tax;
} line_t;

enum status { DRAFT, PAID = 2 };

extern int invoice_count;
static int next_id = 1;

/** Sums the lines. */
int64_t invoice_total(const line_t *lines, size_t count);

static inline int64_t with_tax(int64_t amount, double rate) {
    int64_t tax = amount * rate, rounded;
    return amount + tax;
}

#endif
`

describe('the C spec', () => {
  let extraction: Extraction
  beforeAll(async () => {
    extraction = await new Extractor().extract(c, SOURCE)
  })

  it('finds macros, types, fields (one per declared name), enumerators, variables and functions inside a header guard', () => {
    expect(outline(extraction)).toEqual([
      ['BILLING_H', 'macro', 2, null],
      ['TAX_RATE', 'macro', 7, null],
      ['CENTS', 'macro', 8, null],
      ['line_t', 'type', 11, null],
      ['line', 'struct', 11, 'line_t'],
      ['label', 'field', 12, 'line'],
      ['amount', 'field', 13, 'line'],
      ['tax', 'field', 13, 'line'],
      ['status', 'enum', 16, null],
      ['DRAFT', 'enum_member', 16, 'status'],
      ['PAID', 'enum_member', 16, 'status'],
      ['invoice_count', 'variable', 18, null],
      ['next_id', 'variable', 19, null],
      ['invoice_total', 'function', 22, null],
      ['with_tax', 'function', 24, null],
    ])
  })

  it('exports everything that is not static at file level', () => {
    expect(exportedNames(extraction)).toEqual([
      'BILLING_H',
      'TAX_RATE',
      'CENTS',
      'line_t',
      'line',
      'label',
      'amount',
      'tax',
      'status',
      'DRAFT',
      'PAID',
      'invoice_count',
      'invoice_total',
    ])
  })

  it('reads the comment above a declaration, a typedef lending its comment to the struct it defines', () => {
    expect(docstrings(extraction)).toEqual([
      ['line_t', 'A line of an invoice.'],
      ['line', 'A line of an invoice.'],
      ['invoice_total', 'Sums the lines.'],
    ])
  })

  it('records includes without their quotes or angle brackets', () => {
    expect(extraction.imports).toEqual([
      { module: 'stdint.h', kind: 'include', names: [], line: 4 },
      { module: 'money/currency.h', kind: 'include', names: [], line: 5 },
    ])
  })

  it('records parameters of prototypes and definitions, and locals', () => {
    expect(symbolTable(extraction)).toEqual([
      ['lines', 'parameter', 22, 'invoice_total'],
      ['count', 'parameter', 22, 'invoice_total'],
      ['amount', 'parameter', 24, 'with_tax'],
      ['rate', 'parameter', 24, 'with_tax'],
      ['tax', 'local', 25, 'with_tax'],
      ['rounded', 'local', 25, 'with_tax'],
    ])
  })

  it('resolves a quoted include against the folder of the including file', () => {
    const exists = indexed('src/money/currency.h', 'money/currency.h')
    expect(c.resolveImport!('money/currency.h', 'src/billing.h', exists)).toBe('src/money/currency.h')
  })

  it('leaves an include unresolved when the folder of the including file does not hold it', () => {
    expect(c.resolveImport!('stdint.h', 'src/billing.h', indexed('stdint.h'))).toBeUndefined()
  })
})

describe('the C and C++ file types', () => {
  it('reads .c files as C', () => {
    expect(languageOf('src/billing.c')).toBe(c)
  })

  it('reads a .h header without C++ constructs as C', () => {
    expect(languageOf('src/billing.h', SOURCE)).toBe(c)
  })

  it('reads a .h header that declares a class as C++', () => {
    expect(languageOf('src/billing.h', 'class Invoice {\n  int total;\n};\n')).toBe(cpp)
  })
})
