import { basicRuntime, compilePage, createEta, LOCATION, type ErrorLocation } from './compile';
import { lineColOf, translate, TemplateSyntaxError } from './translate';

const eta = createEta(basicRuntime());
function render(src: string, vars: Record<string, unknown> = {}, debug = false): string {
  return compilePage(eta, src, Object.keys(vars), { debug })(vars);
}

describe('translate: instructions', () => {
  test('text passes through, including Eta-looking text', () => {
    expect(render('<p>a\n b</p>')).toBe('<p>a\n b</p>');
    expect(render('<%= 1 %> and <% x %>\n{{ 2 }}')).toBe('<%= 1 %> and <% x %>\n2');
  });

  test('{{ expr }} escapes; null and undefined print nothing; 0 and false print', () => {
    expect(render('{{ v }}', { v: '<script>alert("x")</script>' })).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(render('[{{ a }}|{{ b }}|{{ c }}|{{ d }}]', { a: null, b: undefined, c: 0, d: false })).toBe('[||0|false]');
    expect(render("{{ '}}' + x }}", { x: 1 })).toBe('}}1');
  });

  test('{{{ raw }}} is not escaped; null prints nothing', () => {
    expect(render('{{{ h }}}{{{ n }}}', { h: '<b>x</b>', n: null })).toBe('<b>x</b>');
  });

  test('{{ js }} … {{ end }} defines variables used later', () => {
    expect(render('{{ js }}\n  let n = 2 * k;\n  const s = `${n}!`; // comment\n{{ end }}\n{{ n }} {{ s }}', { k: 3 })).toBe('\n6 6!');
    expect(render('{{ py }} var z = 1 {{ end }}{{ z }}')).toBe('1');
  });

  test('if / elif / else: one end closes the chain, every condition evaluated', () => {
    const src = '{{ if n > 10 }}big{{ elif n > 5 }}mid{{ elif n === 0 }}zero{{ else }}small{{ end }}';
    expect(render(src, { n: 11 })).toBe('big');
    expect(render(src, { n: 6 })).toBe('mid');
    expect(render(src, { n: 0 })).toBe('zero');
    expect(render(src, { n: 1 })).toBe('small');
    expect(render('{{ if a && (b || c) }}y{{ end }}', { a: 1, b: 0, c: 'x' })).toBe('y');
    expect(render('{{ if typeof q === "undefined" }}u{{ end }}')).toBe('u');
  });

  test('for … in (values; keys of an object) and for … of; destructuring', () => {
    expect(render('{{ for x in xs }}[{{ x }}]{{ end }}', { xs: [1, 2] })).toBe('[1][2]');
    expect(render('{{ for k in o }}{{ k }},{{ end }}', { o: { a: 1, b: 2 } })).toBe('a,b,');
    expect(render('{{ for x of "ab" }}{{ x }}.{{ end }}')).toBe('a.b.');
    expect(render('{{ for [k, v] of Object.entries(o) }}{{ k }}={{ v }};{{ end }}', { o: { a: 1 } })).toBe('a=1;');
    expect(render('{{ for x in new Set([3]) }}{{ x }}{{ end }}')).toBe('3');
  });

  test('nesting', () => {
    const src = '{{ for r in rows }}{{ if r.on }}{{ for c in r.cells }}{{ if c > 1 }}<{{ c }}>{{ else }}-{{ end }}{{ end }}{{ end }}|{{ end }}';
    expect(render(src, { rows: [{ on: true, cells: [1, 2] }, { on: false, cells: [5] }] })).toBe('-<2>||');
  });

  test('a page variable may be shadowed by a let of the page', () => {
    expect(render('{{ js }} let v = 5; var w = 1 {{ end }}{{ v }}{{ w }}', { v: 1, w: 2 })).toBe('51');
  });

  test('lines of the page are the lines of the Eta template', () => {
    const src = 'a\n{{ if\n x }}\nb{{ end }}\n{{ js }}\nlet y = 1\n{{ end }}\n{{\n y\n }}\nEND';
    const eta = translate(src).eta;
    expect(eta.split('\n').length).toBe(src.split('\n').length);
    expect(render(src, { x: true })).toBe('a\n\nb\n\n1\nEND');
  });
});

describe('translate: errors', () => {
  function syntaxError(src: string): TemplateSyntaxError {
    try { translate(src); } catch (e) { return e as TemplateSyntaxError; }
    throw new Error('no error');
  }
  test.each([
    ['{{ if a }}x', 1, '{{ if }} without {{ end }}'],
    ['a\n{{ end }}', 2, 'without an open block'],
    ['a\nb {{ x', 2, 'unclosed {{'],
    ['{{ else }}', 1, 'outside an {{ if }}'],
    ['{{ if a }}{{ else }}{{ elif b }}{{ end }}', 1, 'after {{ else }}'],
    ['x\n\n  {{ a + }}', 3, 'expression'],
    ['{{ js }}\nlet = ;\n{{ end }}', 1, 'code block'],
    ['{{ for x from y }}{{ end }}', 1, 'expected {{ for'],
    ['{{ }}', 1, 'empty'],
    ['{{ js }} x = 1', 1, 'without {{ end }}'],
  ])('%j → line %d', (src, line, msg) => {
    const e = syntaxError(src);
    expect(e).toBeInstanceOf(TemplateSyntaxError);
    expect(e.line).toBe(line);
    expect(e.message).toContain(msg);
  });

  test('column of the instruction', () => {
    const e = syntaxError('ab\ncd {{ 1 + }}');
    expect([e.line, e.col]).toEqual([2, 4]);
    expect(lineColOf('x\ny', 2)).toEqual({ line: 2, col: 1 });
  });

  test('runtime errors carry the offset of the failing instruction (debug)', () => {
    const src = 'ok\n{{ for r of rows }}\n  {{ r.a.b }}\n{{ end }}';
    const fn = compilePage(eta, src, ['rows'], { debug: true, file: '/x.jshtml' });
    let err: unknown;
    try { fn({ rows: [{ a: {} }, {}] }); } catch (e) { err = e; }
    const loc = (err as { [LOCATION]: ErrorLocation })[LOCATION];
    expect(loc.file).toBe('/x.jshtml');
    expect(lineColOf(src, loc.offset)).toEqual({ line: 3, col: 3 });
  });
});
