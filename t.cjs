const { Parser, Language } = require('web-tree-sitter');
(async () => {
  await Parser.init();
  const lang = await Language.load(require.resolve('tree-sitter-python/tree-sitter-python.wasm'));
  const p = new Parser(); p.setLanguage(lang);
  const src = require('fs').readFileSync(0,'utf8');
  const t = p.parse(src);
  const walk = (n, d=0, f='') => { console.log(' '.repeat(d)+(f?f+': ':'')+n.type, JSON.stringify(n.text.slice(0,40))); for (let i=0;i<n.childCount;i++) { const c=n.child(i); if (c.isNamed) walk(c, d+1, n.fieldNameForChild(i)||''); } };
  walk(t.rootNode);
})();
