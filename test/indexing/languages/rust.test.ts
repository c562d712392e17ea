import { beforeAll, describe, expect, it } from 'vitest'
import { Extractor } from '../../../src/indexing/extractor.js'
import type { Extraction } from '../../../src/indexing/languages/language-spec.js'
import { languageOf } from '../../../src/indexing/languages/registry.js'
import { rust } from '../../../src/indexing/languages/rust.js'
import { decorated, docstrings, exportedNames, outline, symbolTable } from './extraction-helpers.js'

const SOURCE = `use std::collections::HashMap;
use std::fmt::{self, Display, Write as FmtWrite};
use crate::money::*;

/// The tax applied to every line.
pub const TAX_RATE: f64 = 0.2;

/// An invoice.
#[derive(Debug, Clone)]
pub struct Invoice {
    pub lines: Vec<Line>,
    total: i64,
}

pub enum Status { Draft, Paid(i64) }

pub trait Total {
    fn total(&self) -> i64;
}

impl Invoice {
    /// Builds an empty invoice.
    pub fn new(currency: &str) -> Self {
        let lines = Vec::new();
        Invoice { lines, total: 0 }
    }

    fn recompute(&mut self, extra: i64) {
        let (sum, count) = (0, 0);
    }
}

mod format {
    pub fn cents<T: Display>(value: T) -> String { value.to_string() }
}

macro_rules! cents { ($x:expr) => { $x * 100 }; }
`

describe('the Rust spec', () => {
  let extraction: Extraction
  beforeAll(async () => {
    extraction = await new Extractor().extract(rust, SOURCE)
  })

  it('finds items, fields, variants, trait and impl methods, each under its enclosing item', () => {
    expect(outline(extraction)).toEqual([
      ['TAX_RATE', 'constant', 6, null],
      ['Invoice', 'struct', 10, null],
      ['lines', 'field', 11, 'Invoice'],
      ['total', 'field', 12, 'Invoice'],
      ['Status', 'enum', 15, null],
      ['Draft', 'enum_member', 15, 'Status'],
      ['Paid', 'enum_member', 15, 'Status'],
      ['Total', 'trait', 17, null],
      ['total', 'method', 18, 'Total'],
      ['Invoice', 'impl', 21, null],
      ['new', 'method', 23, 'Invoice'],
      ['recompute', 'method', 28, 'Invoice'],
      ['format', 'module', 33, null],
      ['cents', 'function', 34, 'format'],
      ['cents', 'macro', 37, null],
    ])
  })

  it('exports pub items, and variants and trait methods of pub enums and traits', () => {
    expect(exportedNames(extraction)).toEqual(['TAX_RATE', 'Invoice', 'lines', 'Status', 'Draft', 'Paid', 'Total', 'total', 'new', 'cents'])
  })

  it('reads the /// comment above an item, also when attributes stand between them', () => {
    expect(docstrings(extraction)).toEqual([
      ['TAX_RATE', 'The tax applied to every line.'],
      ['Invoice', 'An invoice.'],
      ['new', 'Builds an empty invoice.'],
    ])
  })

  it('keeps the attributes of an item as its decorators', () => {
    expect(decorated(extraction)).toEqual([['Invoice', ['#[derive(Debug, Clone)]']]])
  })

  it('records use declarations: the path, and the names of a braced list', () => {
    expect(extraction.imports).toEqual([
      { module: 'std::collections::HashMap', kind: 'use', names: [], line: 1 },
      { module: 'std::fmt', kind: 'use', names: ['Display', 'Write'], line: 2 },
      { module: 'crate::money', kind: 'use', names: [], line: 3 },
    ])
  })

  it('records parameters but self, type parameters and let bindings', () => {
    expect(symbolTable(extraction)).toEqual([
      ['currency', 'parameter', 23, 'new'],
      ['lines', 'local', 24, 'new'],
      ['extra', 'parameter', 28, 'recompute'],
      ['sum', 'local', 29, 'recompute'],
      ['count', 'local', 29, 'recompute'],
      ['T', 'type_parameter', 34, 'cents'],
      ['value', 'parameter', 34, 'cents'],
    ])
  })

  it('exports a macro_rules! macro only with #[macro_export]', async () => {
    const { definitions } = await new Extractor().extract(rust, '#[macro_export]\nmacro_rules! shown { () => {} }\nmacro_rules! hidden { () => {} }\n')
    expect(definitions.map((definition) => [definition.name, definition.exported])).toEqual([
      ['shown', true],
      ['hidden', false],
    ])
  })
})

describe('the Rust file type', () => {
  it('is recognised by the .rs extension', () => {
    expect(languageOf('src/invoice.rs')).toBe(rust)
  })
})
