import { beforeAll, describe, expect, it } from 'vitest'
import { Extractor } from '../../../src/indexing/extractor.js'
import { java } from '../../../src/indexing/languages/java.js'
import type { Extraction } from '../../../src/indexing/languages/language-spec.js'
import { languageOf } from '../../../src/indexing/languages/registry.js'
import { decorated, docstrings, exportedNames, outline, symbolTable } from './extraction-helpers.js'

const SOURCE = `package com.example.billing;

import java.util.List;
import java.util.*;
import static java.lang.Math.round;

/** An invoice. */
@Entity
public class Invoice<T extends Line> {
    public static final double TAX_RATE = 0.2;
    private int total, tax;
    String currency;

    public Invoice(String currency) {
        this.currency = currency;
    }

    /**
     * Adds lines.
     */
    @Override
    public void add(T line, int... counts) {
        int sum = 0;
        for (int count : counts) sum += count;
    }

    public interface Listener {
        void changed(Invoice<?> invoice);
    }

    enum Status { DRAFT, PAID }
}
`

describe('the Java spec', () => {
  let extraction: Extraction
  beforeAll(async () => {
    extraction = await new Extractor().extract(java, SOURCE)
  })

  it('finds types, constants, fields (one per declared name), constructors, methods and enum constants', () => {
    expect(outline(extraction)).toEqual([
      ['Invoice', 'class', 8, null],
      ['TAX_RATE', 'constant', 10, 'Invoice'],
      ['total', 'field', 11, 'Invoice'],
      ['tax', 'field', 11, 'Invoice'],
      ['currency', 'field', 12, 'Invoice'],
      ['Invoice', 'constructor', 14, 'Invoice'],
      ['add', 'method', 21, 'Invoice'],
      ['Listener', 'interface', 27, 'Invoice'],
      ['changed', 'method', 28, 'Listener'],
      ['Status', 'enum', 31, 'Invoice'],
      ['DRAFT', 'enum_member', 31, 'Status'],
      ['PAID', 'enum_member', 31, 'Status'],
    ])
  })

  it('exports public declarations and the members of a public interface', () => {
    expect(exportedNames(extraction)).toEqual(['Invoice', 'TAX_RATE', 'Invoice', 'add', 'Listener', 'changed'])
  })

  it('reads the /** */ comment above a declaration and its annotations', () => {
    expect(docstrings(extraction)).toEqual([
      ['Invoice', 'An invoice.'],
      ['add', 'Adds lines.'],
    ])
  })

  it('keeps annotations as decorators', () => {
    expect(decorated(extraction)).toEqual([
      ['Invoice', ['@Entity']],
      ['add', ['@Override']],
    ])
  })

  it('records imports with the imported name, a wildcard import with none', () => {
    expect(extraction.imports).toEqual([
      { module: 'java.util.List', kind: 'import', names: ['List'], line: 3 },
      { module: 'java.util', kind: 'import', names: [], line: 4 },
      { module: 'java.lang.Math.round', kind: 'import', names: ['round'], line: 5 },
    ])
  })

  it('records type parameters, parameters and locals', () => {
    expect(symbolTable(extraction)).toEqual([
      ['T', 'type_parameter', 9, 'Invoice'],
      ['currency', 'parameter', 14, 'Invoice'],
      ['line', 'parameter', 22, 'add'],
      ['counts', 'parameter', 22, 'add'],
      ['sum', 'local', 23, 'add'],
      ['count', 'local', 24, 'add'],
      ['invoice', 'parameter', 28, 'changed'],
    ])
  })
})

describe('the Java file type', () => {
  it('is recognised by the .java extension', () => {
    expect(languageOf('src/main/java/Invoice.java')).toBe(java)
  })
})
