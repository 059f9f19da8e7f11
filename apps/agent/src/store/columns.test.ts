import { describe, expect, it } from 'vitest';
import { COLUMN_NAMES, columnsOf, columnsOfRow, rowOfColumns } from './columns.js';
import { fixtureStoreWrites } from '../../test/support/capture-fixtures.js';

describe('record columns as statement parameters', () => {
  const records = fixtureStoreWrites(1_795_973_550_000).map((w) => w.record);

  it('lay every column out in COLUMN_NAMES order, the order the store names them in its SQL', () => {
    expect(records.length).toBeGreaterThan(5);
    for (const record of records) {
      const columns = columnsOf(record);
      expect(Object.keys(columns).sort()).toEqual([...COLUMN_NAMES].sort());
      expect(rowOfColumns(columns)).toEqual(COLUMN_NAMES.map((name) => columns[name]));
    }
  });

  it('come back from a row as the same columns', () => {
    for (const record of records) {
      const columns = columnsOf(record);
      expect(columnsOfRow([...rowOfColumns(columns), 'record json', 1, 123, 'body text'])).toEqual(columns);
    }
  });
});
