import { describe, expect, it } from 'vitest';
import { describeChanges, targetLabel } from './changes';

describe('audit log changes in words', () => {
  it('lists only the fields an update changed', () => {
    const before = { id: '1', name: 'A', status: 'active', suspendedReason: null, updatedAt: 't1' };
    const after = { id: '1', name: 'A', status: 'suspended', suspendedReason: 'unpaid', updatedAt: 't2' };
    expect(describeChanges(before, after)).toEqual([
      { field: 'status', before: 'active', after: 'suspended' },
      { field: 'suspendedReason', before: '—', after: 'unpaid' },
    ]);
  });

  it('lists what a create set and what a delete removed', () => {
    expect(describeChanges(null, { id: '1', scopes: ['customers:read', 'events:read'] })).toEqual([{ field: 'scopes', after: 'customers:read, events:read' }]);
    expect(describeChanges({ id: '1', name: 'Gone' }, null)).toEqual([{ field: 'name', before: 'Gone' }]);
  });

  it('names the target by its name or address', () => {
    expect(targetLabel(null, { name: 'Bakkerij' })).toBe('Bakkerij');
    expect(targetLabel({ address: 'jan@bakkerij.example' }, null)).toBe('jan@bakkerij.example');
    expect(targetLabel(null, { id: 'x' })).toBeNull();
  });
});
