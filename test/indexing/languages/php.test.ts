import { beforeAll, describe, expect, it } from 'vitest'
import { Extractor } from '../../../src/indexing/extractor.js'
import type { Extraction } from '../../../src/indexing/languages/language-spec.js'
import { php } from '../../../src/indexing/languages/php.js'
import { languageOf } from '../../../src/indexing/languages/registry.js'
import { decorated, docstrings, exportedNames, indexed, outline, symbolTable } from './extraction-helpers.js'

const SOURCE = String.raw`<?php
namespace App\Billing;

use App\Contracts\Document;
use Illuminate\Support\{Collection, Str};
use App\Money\Cents as Money;
require_once __DIR__ . '/helpers.php';

const TAX_RATE = 0.2;

/**
 * An invoice.
 */
#[Entity]
final class Invoice extends Document
{
    public const CURRENCY = 'EUR';
    private int $total, $tax;

    public function __construct(array $lines, string ...$notes)
    {
        $count = count($lines);
    }

    // Recomputes the totals.
    private function recompute(?int $extra = null): void {}
}

interface Totals { public function total(): int; }

enum Status: string { case Draft = 'draft'; case Paid = 'paid'; }

function cents(float $amount): int { return (int) round($amount * 100); }
`

describe('the PHP spec', () => {
  let extraction: Extraction
  beforeAll(async () => {
    extraction = await new Extractor().extract(php, SOURCE)
  })

  it('finds the namespace, types, constants, properties (one per declared name), constructors, methods and cases', () => {
    expect(outline(extraction)).toEqual([
      ['App\\Billing', 'namespace', 2, null],
      ['TAX_RATE', 'constant', 9, null],
      ['Invoice', 'class', 14, null],
      ['CURRENCY', 'constant', 17, 'Invoice'],
      ['total', 'property', 18, 'Invoice'],
      ['tax', 'property', 18, 'Invoice'],
      ['__construct', 'constructor', 20, 'Invoice'],
      ['recompute', 'method', 26, 'Invoice'],
      ['Totals', 'interface', 29, null],
      ['total', 'method', 29, 'Totals'],
      ['Status', 'enum', 31, null],
      ['Draft', 'enum_member', 31, 'Status'],
      ['Paid', 'enum_member', 31, 'Status'],
      ['cents', 'function', 33, null],
    ])
  })

  it('exports everything but private members', () => {
    expect(exportedNames(extraction)).toEqual([
      'App\\Billing',
      'TAX_RATE',
      'Invoice',
      'CURRENCY',
      '__construct',
      'Totals',
      'total',
      'Status',
      'Draft',
      'Paid',
      'cents',
    ])
  })

  it('reads the comment above a declaration and its attributes', () => {
    expect(docstrings(extraction)).toEqual([
      ['Invoice', 'An invoice.'],
      ['recompute', 'Recomputes the totals.'],
    ])
  })

  it('keeps attribute groups as decorators', () => {
    expect(decorated(extraction)).toEqual([['Invoice', ['#[Entity]']]])
  })

  it('records use clauses, group uses with their names, and require_once relative to __DIR__', () => {
    expect(extraction.imports).toEqual([
      { module: 'App\\Contracts\\Document', kind: 'use', names: [], line: 4 },
      { module: 'Illuminate\\Support', kind: 'use', names: ['Collection', 'Str'], line: 5 },
      { module: 'App\\Money\\Cents', kind: 'use', names: ['Money'], line: 6 },
      { module: '/helpers.php', kind: 'require', names: [], line: 7 },
    ])
  })

  it('records parameters, variadic ones included, and assigned variables', () => {
    expect(symbolTable(extraction)).toEqual([
      ['lines', 'parameter', 20, '__construct'],
      ['notes', 'parameter', 20, '__construct'],
      ['count', 'local', 22, '__construct'],
      ['extra', 'parameter', 26, 'recompute'],
      ['amount', 'parameter', 33, 'cents'],
    ])
  })
})

describe('PHP include resolution', () => {
  it('resolves a required path against the folder of the requiring file', () => {
    expect(php.resolveImport!('/helpers.php', 'src/Billing/Invoice.php', indexed('src/Billing/helpers.php'))).toBe('src/Billing/helpers.php')
  })
})

describe('the PHP file type', () => {
  it('is recognised by the .php extension', () => {
    expect(languageOf('src/Billing/Invoice.php')).toBe(php)
  })
})
