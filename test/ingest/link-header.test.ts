import { describe, expect, it } from 'vitest';
import { websubLinksOfHeader } from '../../src/ingest/link-header.js';

const BASE = 'https://news.example/feeds/world.rss';

describe('websubLinksOfHeader', () => {
  it('reads the hub and self links, resolved against the response\'s URL, the first of each', () => {
    expect(websubLinksOfHeader('<https://hub.example/>; rel="hub", </feeds/world.rss>; rel="self", <https://other-hub.example/>; rel=hub', BASE))
      .toEqual({ hubUrl: 'https://hub.example/', selfUrl: 'https://news.example/feeds/world.rss' });
  });

  it('takes a rel that lists several relations, in any case, among other parameters, and commas inside quotes', () => {
    expect(websubLinksOfHeader('<https://site.example/>; title="News, world"; rel="alternate", <../hub>; title="a \\", b"; REL="Hub Other"', BASE))
      .toEqual({ hubUrl: 'https://news.example/hub', selfUrl: null });
  });

  it('names nothing for no header, links of other relations, targets that are not http(s) or not URLs, and a broken value', () => {
    expect(websubLinksOfHeader(null, BASE)).toEqual({ hubUrl: null, selfUrl: null });
    expect(websubLinksOfHeader('<https://site.example/>; rel="alternate"', BASE)).toEqual({ hubUrl: null, selfUrl: null });
    expect(websubLinksOfHeader('<javascript:alert(1)>; rel="hub", <http://[::1>; rel="self"', BASE)).toEqual({ hubUrl: null, selfUrl: null });
    expect(websubLinksOfHeader('<https://hub.example/; rel="hub"', BASE)).toEqual({ hubUrl: null, selfUrl: null });
    expect(websubLinksOfHeader('<https://hub.example/>', BASE)).toEqual({ hubUrl: null, selfUrl: null });
  });
});
