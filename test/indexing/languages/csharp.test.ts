import { beforeAll, describe, expect, it } from 'vitest'
import { Extractor } from '../../../src/indexing/extractor.js'
import { csharp } from '../../../src/indexing/languages/csharp.js'
import type { Extraction } from '../../../src/indexing/languages/language-spec.js'
import { languageOf } from '../../../src/indexing/languages/registry.js'
import { decorated, docstrings, exportedNames, outline, symbolTable } from './extraction-helpers.js'

const SOURCE = `using System;
using System.Collections.Generic;
using Json = Newtonsoft.Json;

namespace Billing.Models
{
    /// <summary>An invoice.</summary>
    [Serializable]
    public class Invoice<T> : Document
    {
        public const decimal TaxRate = 0.2m;
        private int total, tax;
        public string Currency { get; set; }

        public Invoice(string currency) { Currency = currency; }

        // Adds lines.
        [Obsolete("Use AddRange")]
        public void Add(T line, params int[] counts)
        {
            var sum = 0;
            foreach (var count in counts) sum += count;
        }
    }

    public interface ITotal { decimal Total(); }

    internal enum Status { Draft, Paid }

    public struct Money { public long Cents; }
}
`

describe('the C# spec', () => {
  let extraction: Extraction
  beforeAll(async () => {
    extraction = await new Extractor().extract(csharp, SOURCE)
  })

  it('finds the namespace, types, constants, fields (one per declared name), properties, constructors and methods', () => {
    expect(outline(extraction)).toEqual([
      ['Billing.Models', 'namespace', 5, null],
      ['Invoice', 'class', 8, 'Billing.Models'],
      ['TaxRate', 'constant', 11, 'Invoice'],
      ['total', 'field', 12, 'Invoice'],
      ['tax', 'field', 12, 'Invoice'],
      ['Currency', 'property', 13, 'Invoice'],
      ['Invoice', 'constructor', 15, 'Invoice'],
      ['Add', 'method', 18, 'Invoice'],
      ['ITotal', 'interface', 26, 'Billing.Models'],
      ['Total', 'method', 26, 'ITotal'],
      ['Status', 'enum', 28, 'Billing.Models'],
      ['Draft', 'enum_member', 28, 'Status'],
      ['Paid', 'enum_member', 28, 'Status'],
      ['Money', 'struct', 30, 'Billing.Models'],
      ['Cents', 'field', 30, 'Money'],
    ])
  })

  it('exports namespaces, public declarations and the members of public interfaces and enums', () => {
    expect(exportedNames(extraction)).toEqual([
      'Billing.Models',
      'Invoice',
      'TaxRate',
      'Currency',
      'Invoice',
      'Add',
      'ITotal',
      'Total',
      'Money',
      'Cents',
    ])
  })

  it('reads the comment above a declaration and its attributes, without the <summary> tags', () => {
    expect(docstrings(extraction)).toEqual([
      ['Invoice', 'An invoice.'],
      ['Add', 'Adds lines.'],
    ])
  })

  it('keeps attribute lists as decorators', () => {
    expect(decorated(extraction)).toEqual([
      ['Invoice', ['[Serializable]']],
      ['Add', ['[Obsolete("Use AddRange")]']],
    ])
  })

  it('records using directives, an alias as the imported name', () => {
    expect(extraction.imports).toEqual([
      { module: 'System', kind: 'use', names: [], line: 1 },
      { module: 'System.Collections.Generic', kind: 'use', names: [], line: 2 },
      { module: 'Newtonsoft.Json', kind: 'use', names: ['Json'], line: 3 },
    ])
  })

  it('records type parameters, parameters (params arrays included) and locals', () => {
    expect(symbolTable(extraction)).toEqual([
      ['T', 'type_parameter', 9, 'Invoice'],
      ['currency', 'parameter', 15, 'Invoice'],
      ['line', 'parameter', 19, 'Add'],
      ['counts', 'parameter', 19, 'Add'],
      ['sum', 'local', 21, 'Add'],
      ['count', 'local', 22, 'Add'],
    ])
  })
})

describe('the C# file type', () => {
  it('is recognised by the .cs extension', () => {
    expect(languageOf('Models/Invoice.cs')).toBe(csharp)
  })
})
