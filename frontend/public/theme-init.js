// Sets the colour theme before the first paint, so the page never flashes the wrong one.
// The same rules as src/lib/theme.ts: a saved choice ("light" or "dark"), else the device's.
(function () {
  var choice = null;
  try {
    choice = window.localStorage.getItem('acme-theme');
  } catch (e) {
    choice = null;
  }
  var dark =
    choice === 'dark' ||
    (choice !== 'light' && !!window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches);
  document.documentElement.setAttribute('data-theme', dark ? 'dark' : 'light');
})();
