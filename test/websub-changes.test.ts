// Which of the service's feeds two changes concern together: the distributions that failed are
// made again as one.
import { describe, expect, it } from 'vitest';
import { joinChanges } from '../src/websub.js';

describe('changes joined', () => {
  it('concern the topics of either, every topic when either does, and the combined feed when either does', () => {
    expect(joinChanges({ slugs: ['nato', 'gas'], all: false }, { slugs: ['gas', 'baltic'], all: false })).toEqual({ slugs: ['nato', 'gas', 'baltic'], all: false });
    expect(joinChanges({ slugs: ['nato'], all: true }, { slugs: 'every', all: false })).toEqual({ slugs: 'every', all: true });
    expect(joinChanges({ slugs: 'every', all: false }, { slugs: [], all: true })).toEqual({ slugs: 'every', all: true });
  });

  it('end the topics either deleted, once each, and name none when neither did', () => {
    expect(joinChanges({ slugs: [], all: false, gone: ['drills'] }, { slugs: ['nato'], all: false, gone: ['drills', 'gas'] }))
      .toEqual({ slugs: ['nato'], all: false, gone: ['drills', 'gas'] });
    expect(joinChanges({ slugs: [], all: false, gone: [] }, { slugs: [], all: false })).not.toHaveProperty('gone');
  });
});
