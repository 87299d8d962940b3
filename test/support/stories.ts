// Two NATO stories of one day, told in the words an agency would use: one syndicated by another
// outlet in the tests that use them, one carried alone.
export const STORY_DAY = new Date('2026-11-20T09:00:00Z');
export const AIR_POLICING = 'NATO allies agree to extend Baltic air policing mission through next year, with four more fighter jets rotating into Lithuania and Estonia from January, defence ministers said after talks in Brussels on Thursday.';
export const ANKARA_VISIT = 'The NATO secretary general travelled to Ankara on Thursday for talks with the Turkish president on air defence purchases and the alliance summit agenda, officials said, in a visit arranged at short notice.';
