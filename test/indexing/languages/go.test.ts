import { beforeAll, describe, expect, it } from 'vitest'
import { Extractor } from '../../../src/indexing/extractor.js'
import { go } from '../../../src/indexing/languages/go.js'
import type { Extraction } from '../../../src/indexing/languages/language-spec.js'
import { languageOf } from '../../../src/indexing/languages/registry.js'
import { docstrings, exportedNames, outline, symbolTable } from './extraction-helpers.js'

const SOURCE = `// Package billing computes invoices.
package billing

import "fmt"

import (
	"strings"
	money "example.com/shop/money"
	_ "embed"
)

// TaxRate is applied to every line.
const TaxRate = 0.2

var defaultCurrency, fallback = "EUR", "USD"

// Invoice is a bill.
type Invoice struct {
	Lines    []Line
	total, tax int
}

type Totaler interface {
	Total() int
}

type Cents = int64

// Add appends a line.
func (i *Invoice) Add(line Line, notes ...string) error {
	count := len(i.Lines)
	for index, note := range notes {
		fmt.Println(index, note, count)
	}
	return nil
}

func sum[T Number](values []T) T { var acc T; return acc }
`

describe('the Go spec', () => {
  let extraction: Extraction
  beforeAll(async () => {
    extraction = await new Extractor().extract(go, SOURCE)
  })

  it('finds constants, variables, types, fields, functions and methods, fields under their struct', () => {
    expect(outline(extraction)).toEqual([
      ['TaxRate', 'constant', 13, null],
      ['defaultCurrency', 'variable', 15, null],
      ['fallback', 'variable', 15, null],
      ['Invoice', 'struct', 18, null],
      ['Lines', 'field', 19, 'Invoice'],
      ['total', 'field', 20, 'Invoice'],
      ['tax', 'field', 20, 'Invoice'],
      ['Totaler', 'interface', 23, null],
      ['Total', 'method', 24, 'Totaler'],
      ['Cents', 'type', 27, null],
      ['Add', 'method', 30, null],
      ['sum', 'function', 38, null],
    ])
  })

  it('exports the capitalised names', () => {
    expect(exportedNames(extraction)).toEqual(['TaxRate', 'Invoice', 'Lines', 'Totaler', 'Total', 'Cents', 'Add'])
  })

  it('reads the // comment above a function or above the declaration of a lone spec', () => {
    expect(docstrings(extraction)).toEqual([
      ['TaxRate', 'TaxRate is applied to every line.'],
      ['Invoice', 'Invoice is a bill.'],
      ['Add', 'Add appends a line.'],
    ])
  })

  it('records each import spec, named by its alias when it has one', () => {
    expect(extraction.imports).toEqual([
      { module: 'fmt', kind: 'import', names: [], line: 4 },
      { module: 'strings', kind: 'import', names: [], line: 7 },
      { module: 'example.com/shop/money', kind: 'import', names: ['money'], line: 8 },
      { module: 'embed', kind: 'import', names: [], line: 9 },
    ])
  })

  it('records receivers and parameters, type parameters and locals', () => {
    expect(symbolTable(extraction)).toEqual([
      ['i', 'parameter', 30, 'Add'],
      ['line', 'parameter', 30, 'Add'],
      ['notes', 'parameter', 30, 'Add'],
      ['count', 'local', 31, 'Add'],
      ['index', 'local', 32, 'Add'],
      ['note', 'local', 32, 'Add'],
      ['T', 'type_parameter', 38, 'sum'],
      ['values', 'parameter', 38, 'sum'],
      ['acc', 'local', 38, 'sum'],
    ])
  })
})

describe('the Go file type', () => {
  it('is recognised by the .go extension', () => {
    expect(languageOf('billing/invoice.go')).toBe(go)
  })
})
