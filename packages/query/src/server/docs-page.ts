/** The HTML page served at `/docs`: what each endpoint does, with examples; the details are in `/openapi.json`. */
export function docsPage(maxRows: number): string {
  const rows = [
    ['/raw', 'Messages, newest first, in datagrepper\'s v1 shape', '/raw?category=bodhi&user=adamw&delta=86400&rows_per_page=50'],
    ['/v2/search', 'The same, in fedora-messaging\'s shape', '/v2/search?topic=org.fedoraproject.prod.koji.%23&contains=kernel'],
    ['/id', 'One message (v1)', '/id?id=2024-…'],
    ['/v2/id', 'One message (fedora-messaging; what <code>fedora-messaging replay</code> reads)', '/v2/id?id=2024-…'],
    ['/topics', 'Topic catalogue with counts, first and last seen', '/topics?category=koji'],
    ['/count', 'How many messages match', '/count?not_category=koji&start=2024-01-01'],
    ['/export', 'Everything that matches, as NDJSON (streamed)', '/export?category=bodhi&order=asc&format=v2'],
    ['/stream', 'Live Server-Sent Events, resumable with Last-Event-ID', '/stream?category=bodhi'],
    ['/', 'The dashboard: rate by category, any filter\'s rate, top topics, users and packages, bus health, live tail', '/#range=7d&amp;filter=category%3Dbodhi'],
  ];
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>statbus query API</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}code{background:#f3f3f3;padding:0 .2rem}td{padding:.3rem .6rem;vertical-align:top}</style></head>
<body><h1>statbus query API</h1>
<p><a href="/">The dashboard</a> shows what this API serves, live.</p>
<p>datagrepper-compatible: times are epoch seconds or ISO 8601; <code>topic</code>, <code>category</code>, <code>user</code>, <code>package</code>, <code>agent</code>,
<code>contains</code> and their <code>not_</code> forms repeat (values OR-ed, filters AND-ed); <code>contains</code> matches letters exactly unless <code>contains_case=insensitive</code>; <code>rows_per_page</code> is at most ${maxRows}; walk deep results with
<code>cursor</code> (the <code>next_cursor</code> of each page). <code>meta=subtitle,link,usernames,packages,…</code> adds fedmsg.meta fields to each message;
<code>grouped=true</code> groups a page by topic and actor. Only GET (and HEAD) is answered: other methods get 405.
Errors are JSON <code>{error, parameter, message}</code>. Full description: <a href="/openapi.json">/openapi.json</a>.</p>
<table>${rows.map(([path, what, example]) => `<tr><td><code>${path ?? ''}</code></td><td>${what ?? ''}</td><td><code>${example ?? ''}</code></td></tr>`).join('')}</table>
</body></html>`;
}
