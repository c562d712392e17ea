import { beforeAll, describe, expect, it } from 'vitest'
import { Extractor } from '../../../src/indexing/extractor.js'
import { cpp } from '../../../src/indexing/languages/c.js'
import type { Extraction } from '../../../src/indexing/languages/language-spec.js'
import { languageOf } from '../../../src/indexing/languages/registry.js'
import { docstrings, exportedNames, outline, symbolTable } from './extraction-helpers.js'

const SOURCE = `#include <vector>
#include "billing/line.hpp"
#define BILLING_VERSION 2

using namespace std;
using billing::Line;

namespace billing {

/// An invoice.
class Invoice : public Document {
public:
    explicit Invoice(int id);
    ~Invoice();
    virtual double total() const;
    static int count;
    int id_, lines_;
private:
    void reset() { lines_ = 0; }
};

Invoice::Invoice(int id) : id_(id) {}

double Invoice::total() const { return 0; }

template <typename T>
T sum(const vector<T>& values) {
    T acc{};
    for (const auto& value : values) acc += value;
    return acc;
}

enum class Status { Draft, Paid };
using Cents = long;
}

namespace { int hidden_counter = 0; }
`

describe('the C++ spec', () => {
  let extraction: Extraction
  beforeAll(async () => {
    extraction = await new Extractor().extract(cpp, SOURCE)
  })

  it('finds namespaces, classes with their members, out-of-class definitions, templates, enums and aliases', () => {
    expect(outline(extraction)).toEqual([
      ['BILLING_VERSION', 'macro', 3, null],
      ['billing', 'namespace', 8, null],
      ['Invoice', 'class', 11, 'billing'],
      ['Invoice', 'constructor', 13, 'Invoice'],
      ['~Invoice', 'method', 14, 'Invoice'],
      ['total', 'method', 15, 'Invoice'],
      ['count', 'field', 16, 'Invoice'],
      ['id_', 'field', 17, 'Invoice'],
      ['lines_', 'field', 17, 'Invoice'],
      ['reset', 'method', 19, 'Invoice'],
      ['Invoice', 'constructor', 22, 'billing'],
      ['total', 'method', 24, 'billing'],
      ['sum', 'function', 27, 'billing'],
      ['Status', 'enum', 33, 'billing'],
      ['Draft', 'enum_member', 33, 'Status'],
      ['Paid', 'enum_member', 33, 'Status'],
      ['Cents', 'type', 34, 'billing'],
      ['hidden_counter', 'variable', 37, null],
    ])
  })

  it('exports everything but what an anonymous namespace hides, static class members included', () => {
    expect(exportedNames(extraction)).toEqual([
      'BILLING_VERSION',
      'billing',
      'Invoice',
      'Invoice',
      '~Invoice',
      'total',
      'count',
      'id_',
      'lines_',
      'reset',
      'Invoice',
      'total',
      'sum',
      'Status',
      'Draft',
      'Paid',
      'Cents',
    ])
  })

  it('reads the /// comment above a class', () => {
    expect(docstrings(extraction)).toEqual([['Invoice', 'An invoice.']])
  })

  it('records includes and using declarations', () => {
    expect(extraction.imports).toEqual([
      { module: 'vector', kind: 'include', names: [], line: 1 },
      { module: 'billing/line.hpp', kind: 'include', names: [], line: 2 },
      { module: 'std', kind: 'use', names: [], line: 5 },
      { module: 'billing::Line', kind: 'use', names: [], line: 6 },
    ])
  })

  it('records parameters, template parameters and locals, range-for variables included', () => {
    expect(symbolTable(extraction)).toEqual([
      ['id', 'parameter', 13, 'Invoice'],
      ['id', 'parameter', 22, 'Invoice'],
      // The template parameter list precedes the function it belongs to, so its scope is the namespace.
      ['T', 'type_parameter', 26, 'billing'],
      ['values', 'parameter', 27, 'sum'],
      ['acc', 'local', 28, 'sum'],
      ['value', 'local', 29, 'sum'],
    ])
  })
})

describe('the C++ file types', () => {
  it('are recognised by the .cpp, .cc, .hpp and .hh extensions', () => {
    expect(['a.cpp', 'a.cc', 'a.hpp', 'a.hh'].map((name) => languageOf(name))).toEqual([cpp, cpp, cpp, cpp])
  })
})
