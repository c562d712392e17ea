import { beforeAll, describe, expect, it } from 'vitest'
import { Extractor } from '../../../src/indexing/extractor.js'
import type { Extraction } from '../../../src/indexing/languages/language-spec.js'
import { languageOf } from '../../../src/indexing/languages/registry.js'
import { ruby } from '../../../src/indexing/languages/ruby.js'
import { docstrings, exportedNames, indexed, outline, symbolTable } from './extraction-helpers.js'

const SOURCE = `require 'json'
require_relative '../support/money'

# Billing models.
module Billing
  TAX_RATE = 0.2

  # An invoice.
  class Invoice < Document
    def initialize(lines, *extra, currency: 'EUR', &block)
      @lines = lines
      total = 0
    end

    def self.build(attributes = {})
      new(attributes)
    end

    def total
      @lines.sum { |line| line.amount }
    end

    private

    def recompute; end

    public def summary; end
  end
end

def format_cents(cents) = format('%.2f', cents / 100.0)
`

describe('the Ruby spec', () => {
  let extraction: Extraction
  beforeAll(async () => {
    extraction = await new Extractor().extract(ruby, SOURCE)
  })

  it('finds modules, classes, constants, instance and singleton methods, and top-level defs as functions', () => {
    expect(outline(extraction)).toEqual([
      ['Billing', 'module', 5, null],
      ['TAX_RATE', 'constant', 6, 'Billing'],
      ['Invoice', 'class', 9, 'Billing'],
      ['initialize', 'method', 10, 'Invoice'],
      ['build', 'method', 15, 'Invoice'],
      ['total', 'method', 19, 'Invoice'],
      ['recompute', 'method', 25, 'Invoice'],
      ['summary', 'method', 27, 'Invoice'],
      ['format_cents', 'function', 31, null],
    ])
  })

  it('exports everything but the methods after a bare private, unless made public again', () => {
    expect(exportedNames(extraction)).toEqual(['Billing', 'TAX_RATE', 'Invoice', 'initialize', 'build', 'total', 'summary', 'format_cents'])
  })

  it('reads the # comment above a module or class', () => {
    expect(docstrings(extraction)).toEqual([
      ['Billing', 'Billing models.'],
      ['Invoice', 'An invoice.'],
    ])
  })

  it('records require and require_relative calls', () => {
    expect(extraction.imports).toEqual([
      { module: 'json', kind: 'require', names: [], line: 1 },
      { module: '../support/money', kind: 'require', names: [], line: 2 },
    ])
  })

  it('records parameters of every shape, block parameters, locals and instance variables', () => {
    expect(symbolTable(extraction)).toEqual([
      ['lines', 'parameter', 10, 'initialize'],
      ['extra', 'parameter', 10, 'initialize'],
      ['currency', 'parameter', 10, 'initialize'],
      ['block', 'parameter', 10, 'initialize'],
      ['@lines', 'field', 11, 'initialize'],
      ['total', 'local', 12, 'initialize'],
      ['attributes', 'parameter', 15, 'build'],
      ['line', 'parameter', 20, 'total'],
      ['cents', 'parameter', 31, 'format_cents'],
    ])
  })

  it('makes a method private when it is an argument of private', async () => {
    const { definitions } = await new Extractor().extract(ruby, 'class A\n  private def hidden; end\n  def shown; end\nend\n')
    expect(definitions.map((definition) => [definition.name, definition.exported])).toEqual([
      ['A', true],
      ['hidden', false],
      ['shown', true],
    ])
  })
})

describe('Ruby require resolution', () => {
  it('resolves require_relative against the folder of the requiring file, adding .rb', () => {
    expect(ruby.resolveImport!('../support/money', 'lib/billing/invoice.rb', indexed('lib/support/money.rb'))).toBe('lib/support/money.rb')
  })

  it('resolves a plain require only when it names a file next to the requiring one', () => {
    expect(ruby.resolveImport!('json', 'lib/billing.rb', indexed('json.rb'))).toBeUndefined()
  })
})

describe('the Ruby file type', () => {
  it('is recognised by the .rb extension', () => {
    expect(languageOf('lib/billing.rb')).toBe(ruby)
  })
})
