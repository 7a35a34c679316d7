/**
 * Whether a topic matches an MQTT subscription filter (`+` one level, `#` the
 * rest). A shared subscription (`$share/group/filter`) matches as its filter.
 * Topics starting with `$` only match filters that name them explicitly.
 */
export function topicMatches(filter: string, topic: string): boolean {
  const effective = filter.startsWith('$share/') ? filter.split('/').slice(2).join('/') : filter;
  const f = effective.split('/');
  const t = topic.split('/');
  if (topic.startsWith('$') && (f[0] === '+' || f[0] === '#')) return false;
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

/** A topic filter that MQTT accepts: `#` last and alone in its level, `+` alone in its level. */
export function validTopicFilter(filter: string): boolean {
  if (filter.length === 0) return false;
  const levels = filter.split('/');
  return levels.every((level, i) => (level.includes('#') ? level === '#' && i === levels.length - 1 : !level.includes('+') || level === '+'));
}

/** A topic a message may be published to: not empty, no wildcards. */
export function validPublishTopic(topic: string): boolean {
  return topic.length > 0 && !topic.includes('+') && !topic.includes('#');
}
