/**
 * The one HTML page every page path answers with; the script in it draws the page for the path.
 * Server-side text goes through `escapeHtml` (the only HTML built here from data).
 */

/** Page paths: `/` (samples), `/samples/<id>`, `/devices`, `/live`. */
export const PAGE_PATHS: RegExp[] = [/^\/$/, /^\/samples\/?$/, /^\/samples\/\d{1,15}$/, /^\/devices\/?$/, /^\/live\/?$/];

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function frame(title: string, main: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="/web/assets/uPlot.css">
<link rel="stylesheet" href="/web/assets/style.css">
</head>
<body>
<header>
  <strong class="brand">ei-ingest</strong>
  <nav>
    <a href="/" data-nav="samples">Samples</a>
    <a href="/devices" data-nav="devices">Devices</a>
    <a href="/live" data-nav="live">Live</a>
  </nav>
  <span id="who"></span>
</header>
${main}
</body>
</html>
`;
}

export function pageShell(): string {
  return frame(
    'ei-ingest · local service',
    `<main id="app"><p class="muted">Loading…</p></main>
<script src="/web/assets/uPlot.js"></script>
<script type="module" src="/web/assets/app.js"></script>`,
  );
}

export function notFoundPage(message: string): string {
  return frame('Not found · ei-ingest', `<main id="app"><h1>Not found</h1><p class="error">${escapeHtml(message)}</p><p><a href="/">All samples</a></p></main>`);
}
