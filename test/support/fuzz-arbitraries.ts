import fc from 'fast-check';

/**
 * fast-check generators for what reaches the codec: strings of any character (XML's specials,
 * every kind of character XML 1.0 refuses, astral and combining ones), JIDs, and XML trees written
 * out with or without escaping, with character references, CDATA, prefixes and XML declarations.
 * Everything is generated, so a seed reproduces a whole run (test/integration/wire-fuzz.test.ts).
 */
const PLAIN = [...'abcxyzABZ0189 _-.:/@'];
const SPECIAL = ['<', '>', '&', "'", '"', ']]>', '\t', '\n', '\r', '\r\n'];
/** Outside XML 1.0: the characters that made Prosody close the component stream. */
export const POISON = [
  '\u0000',
  '\u0001',
  '\u0008',
  '\u000b',
  '\u000c',
  '\u001f',
  '\ufffe',
  '\uffff',
  '\ud800',
  '\udfff',
];
/** Legal but unusual: C1 controls, noncharacters, BOM, separators, astral, combining, bidi. */
const ODD = ['é', 'ü', '😀', '\u0300', '\u200f', '\ufeff', '\u2028', '\u0085', '\u0080', '\u009f', '\u00a0'];
const ODD_ASTRAL = ['\ufdd0', '\ufffd', '\u{10ffff}', '\u{1fffe}', '\u{e0001}', '\u{1d11e}'];

// Poison is rare per character, so that most strings are clean and most stanzas reach Prosody.
const charOf = (poisonWeight: number) =>
  fc.oneof(
    { weight: 120, arbitrary: fc.constantFrom(...PLAIN) },
    { weight: 30, arbitrary: fc.constantFrom(...SPECIAL) },
    { weight: poisonWeight, arbitrary: fc.constantFrom(...POISON) },
    { weight: 20, arbitrary: fc.constantFrom(...ODD, ...ODD_ASTRAL) },
    { weight: 4, arbitrary: xmlCodePoint.map((cp) => String.fromCodePoint(cp)) },
  );

/** Any code point XML 1.0 allows. */
const xmlCodePoint = fc.oneof(
  fc.integer({ min: 0x20, max: 0xd7ff }),
  fc.integer({ min: 0xe000, max: 0xfffd }),
  fc.integer({ min: 0x10000, max: 0x10ffff }),
  fc.constantFrom(0x9, 0xa, 0xd),
);

const textOf = (poisonWeight: number) =>
  fc.oneof(
    { weight: 3000, arbitrary: fc.array(charOf(poisonWeight), { maxLength: 16 }).map((chars) => chars.join('')) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom('>', "'", '<', '&', '"', 'a'), fc.integer({ min: 20_000, max: 100_000 }))
        .map(([c, n]) => c.repeat(n)),
    },
  );

/** A short string of any characters (now and then one outside XML 1.0); rarely a long run that escaping grows. */
export const anyText = textOf(3);
/** The same without characters outside XML 1.0, for the XML that should reach the server. */
const xmlText = textOf(0);

export const OWN_DOMAIN = 'fuzz.localhost';
const GOOD_JIDS = [
  'localhost',
  'alice@localhost',
  'alice@localhost/phone',
  'nobody@localhost',
  OWN_DOMAIN,
  `bot@${OWN_DOMAIN}`,
  'nowhere.example',
  'ALICE@LocalHost/Phone',
];

/** Mostly addresses that exist, often ones with any characters in any part. */
export const jid = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...GOOD_JIDS) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.option(anyText), fc.constantFrom('localhost', OWN_DOMAIN, 'x.example'), fc.option(anyText))
      .map(
        ([local, domain, resource]) =>
          `${local === null ? '' : `${local}@`}${domain}${resource === null ? '' : `/${resource}`}`,
      ),
  },
  { weight: 1, arbitrary: anyText },
);

/** A piece of text as written in the XML: escaped, or raw (a reference, CDATA, or not escaped at all). */
type Segment = { raw: false; text: string } | { raw: true; xml: string };

const anyCodePoint = fc.oneof(
  fc.constantFrom(0x1, 0x9, 0x1f, 0x3c, 0x26, 0xd800, 0xfffe, 0xffff, 0x10ffff, 0x110000, 0x85, 0x1fffe),
  fc.integer({ min: 0, max: 0x10ffff }),
);
const charRef = (codePoint: fc.Arbitrary<number>) =>
  fc.oneof(
    codePoint.map((cp) => ({ raw: true as const, xml: `&#x${cp.toString(16)};` })),
    codePoint.map((cp) => ({ raw: true as const, xml: `&#${cp};` })),
  );
const escaped = (text: fc.Arbitrary<string>) => text.map((value) => ({ raw: false as const, text: value }));

/** Well-formed pieces: escaped text, references to allowed characters, the predefined entities. */
const cleanSegment: fc.Arbitrary<Segment> = fc.oneof(
  { weight: 40, arbitrary: escaped(xmlText) },
  { weight: 3, arbitrary: charRef(xmlCodePoint) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('&lt;', '&amp;', '&apos;', '&quot;', '&gt;').map((xml) => ({ raw: true as const, xml })),
  },
);
/** Anything: references to any code point, undefined entities, stray `&` and `<`, CDATA anywhere. */
const wildSegment: fc.Arbitrary<Segment> = fc.oneof(
  { weight: 30, arbitrary: escaped(anyText) },
  { weight: 4, arbitrary: charRef(anyCodePoint) },
  {
    weight: 2,
    arbitrary: fc.constantFrom('&lt;', '&amp;', '&foo;', '&', '<', ']]>').map((xml) => ({ raw: true as const, xml })),
  },
  { weight: 2, arbitrary: anyText.map((text) => ({ raw: true as const, xml: `<![CDATA[${text}]]>` })) },
);
const cdata = xmlText.map((text) => ({ raw: true as const, xml: `<![CDATA[${text.replaceAll(']]>', '')}]]>` }));

export interface XmlNode {
  name: string;
  attrs: [string, Segment[]][];
  children: (XmlNode | Segment[])[];
}

const NAMES = ['x', 'body', 'query', 'item', 'a:b', 'a:item', 'foo-bar', '_x', 'ping', 'status'];
const wildName = fc.oneof(
  { weight: 40, arbitrary: fc.constantFrom(...NAMES, 'y:z') },
  { weight: 1, arbitrary: fc.constantFrom('1a', 'é', 'a b', 'xmlns:q', 'q:', ':q', 'a:b:c', 'xml:x', 'h\ufffdsh') },
  { weight: 1, arbitrary: anyText },
);
/** Clean trees declare `a` on their root (CLEAN_NAMESPACES) and use no other prefix. */
const CLEAN_NAMESPACES = ["xmlns:a='urn:a'"];
const WILD_NAMESPACES = [
  "xmlns='urn:x'",
  "xmlns:a='urn:a'",
  "xmlns:y='urn:a'",
  "xmlns:a=''",
  "xmlns:xml='urn:x'",
  'xmlns=""',
];

function trees(wild: boolean): fc.Arbitrary<XmlNode> {
  const name = wild ? wildName : fc.constantFrom(...NAMES);
  const segment = wild ? wildSegment : cleanSegment;
  // Clean trees never repeat an attribute name (a:x and a:y are told apart by their prefix).
  const attrs = fc.uniqueArray(
    fc.tuple(
      wild ? wildName : fc.constantFrom('x', 'a:x', 'node', 'jid', 'foo-bar'),
      fc.array(segment, { maxLength: 3 }),
    ),
    {
      maxLength: 3,
      selector: ([key]) => (wild ? Symbol() : key),
    },
  );
  const text = wild
    ? fc.array(segment, { maxLength: 3 })
    : fc.array(fc.oneof({ weight: 8, arbitrary: segment }, { weight: 1, arbitrary: cdata }), { maxLength: 3 });
  return fc.letrec<{ node: XmlNode; child: XmlNode | Segment[] }>((tie) => ({
    node: fc.record({ name, attrs, children: fc.array(tie('child'), { maxLength: 3 }) }),
    child: fc.oneof({ maxDepth: 3, withCrossShrink: true }, text, tie('node')),
  })).node;
}
const cleanTree = trees(false);
const wildTree = trees(true);

function writeSegments(segments: Segment[], quote: string | undefined): string {
  return segments
    .map((part) => {
      if (part.raw) return part.xml;
      const text = part.text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
      return quote === undefined ? text : text.replaceAll(quote, quote === "'" ? '&apos;' : '&quot;');
    })
    .join('');
}

export interface Written {
  namespaces: string[];
  quote: "'" | '"';
}

export function writeNode(tree: XmlNode, style: Written, root = true): string {
  const attrs = tree.attrs.map(
    ([key, value]) => ` ${key}=${style.quote}${writeSegments(value, style.quote)}${style.quote}`,
  );
  const declarations = root ? style.namespaces.map((declaration) => ` ${declaration}`).join('') : '';
  const open = `<${tree.name}${declarations}${attrs.join('')}`;
  if (tree.children.length === 0) return `${open}/>`;
  const inner = tree.children.map((child) =>
    Array.isArray(child) ? writeSegments(child, undefined) : writeNode(child, style, false),
  );
  return `${open}>${inner.join('')}</${tree.name}>`;
}

const styleOf = (wild: boolean) =>
  fc.record({
    namespaces: wild ? fc.subarray(WILD_NAMESPACES, { maxLength: 2 }) : fc.constant(CLEAN_NAMESPACES),
    quote: fc.constantFrom("'" as const, '"' as const),
  });
const WILD_DECLARATIONS = [
  "<?xml version='1.1'?>",
  '<?xml version="1.1" encoding="UTF-8"?>',
  "<?xml version='2.0'?>",
  "<?xml version='1.0' encoding='latin1'?>",
];
const declarationOf = (wild: boolean) =>
  fc.oneof(
    { weight: 12, arbitrary: fc.constant('') },
    { weight: 1, arbitrary: fc.constantFrom("<?xml version='1.0'?>", ...(wild ? WILD_DECLARATIONS : [])) },
  );

const fragmentOf = (wild: boolean) =>
  fc
    .tuple(declarationOf(wild), wild ? wildTree : cleanTree, styleOf(wild))
    .map(([decl, tree, written]) => decl + writeNode(tree, written));

/** A payload element as raw XML (GraphQL `payloads`, sendIq's `payload`): mostly well-formed. */
export const xmlFragment = fc.oneof(
  { weight: 3, arbitrary: fragmentOf(false) },
  { weight: 1, arbitrary: fragmentOf(true) },
);

const TYPES = ['get', 'set', 'result', 'error', 'chat', 'groupchat', 'headline', 'normal', 'unavailable', 'subscribe'];
const FROMS = ['', '', '', OWN_DOMAIN, `bot@${OWN_DOMAIN}/r`, 'alice@localhost', 'localhost'];

/** A stanza: a stanza element with the attributes that matter, then any children. */
const stanzaOf = (wild: boolean) =>
  fc
    .record({
      decl: declarationOf(wild),
      name: wild
        ? fc.oneof(
            { weight: 20, arbitrary: fc.constantFrom('message', 'presence', 'iq') },
            { weight: 1, arbitrary: wildName },
          )
        : fc.constantFrom('message', 'presence', 'iq'),
      to: fc.option(jid, { freq: 8 }),
      from: fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...FROMS) }, { weight: 1, arbitrary: jid }),
      type: fc.oneof(
        { weight: 8, arbitrary: fc.constantFrom(...TYPES) },
        { weight: 1, arbitrary: wild ? anyText : xmlText },
      ),
      id: fc.option(wild ? anyText : xmlText, { freq: 3 }),
      lang: fc.option(wild ? anyText : xmlText, { freq: 4 }),
      xmlns: wild
        ? fc.constantFrom('', '', " xmlns='jabber:client'", " xmlns='urn:other'")
        : fc.constantFrom('', " xmlns='jabber:client'"),
      children: fc.array(wild ? wildTree : cleanTree, { minLength: 0, maxLength: 3 }),
      style: styleOf(wild),
    })
    .map((s) => {
      const attr = (key: string, value: string | null) =>
        value === null || value === ''
          ? ''
          : ` ${key}=${s.style.quote}${writeSegments([{ raw: false, text: value }], s.style.quote)}${s.style.quote}`;
      const root: XmlNode = { name: s.name, attrs: [], children: s.children };
      const open = `<${s.name}${s.xmlns}${attr('to', s.to)}${attr('from', s.from)}${attr('type', s.type)}${attr('id', s.id)}${attr('xml:lang', s.lang)}`;
      return s.decl + open + writeNode(root, s.style).slice(1 + s.name.length);
    });

export const stanzaXml = fc.oneof({ weight: 3, arbitrary: stanzaOf(false) }, { weight: 1, arbitrary: stanzaOf(true) });

/** Now and then the bytes are cut or corrupted, as a client or a receiver might send them. */
export const damagedXml = fc.oneof(
  { weight: 12, arbitrary: stanzaXml },
  { weight: 1, arbitrary: fc.tuple(stanzaXml, fc.nat()).map(([xml, n]) => xml.slice(0, n % (xml.length + 1))) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('latin1')) },
);
