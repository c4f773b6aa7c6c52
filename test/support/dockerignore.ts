// .dockerignore as Docker reads it (moby's patternmatcher): patterns in order, the last one
// matching a path or any of its parent folders decides; "!" re-includes; "*" and "?" stay
// within one path segment, "**" spans any number of them. Enough to check our allowlist.

function toRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*' && pattern[i + 1] === '*') {
      re += '.*';
      i++;
      if (pattern[i + 1] === '/') i++;
    } else if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** True when `.dockerignore` text `ignore` keeps `path` (relative, "/"-separated) out of the context. */
export function dockerignoreExcludes(ignore: string, path: string): boolean {
  const rules = ignore.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#')).map((l) => {
    const negate = l.startsWith('!');
    const pattern = (negate ? l.slice(1) : l).replace(/^\/+/, '').replace(/\/+$/, '');
    return { negate, regex: toRegExp(pattern) };
  });
  const segments = path.split('/');
  const candidates = segments.map((_, i) => segments.slice(0, i + 1).join('/'));
  let excluded = false;
  for (const rule of rules) {
    if (candidates.some((c) => rule.regex.test(c))) excluded = !rule.negate;
  }
  return excluded;
}
