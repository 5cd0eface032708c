import { useMemo } from 'preact/hooks';
import { prettyXml } from './pretty-xml.ts';

/** Indented XML as text (never as HTML), focusable so it scrolls with the keyboard. */
export function XmlBlock({ xml, label }: { xml: string; label: string }) {
  const pretty = useMemo(() => prettyXml(xml), [xml]);
  return (
    <pre class="code xml" tabIndex={0} aria-label={label}>
      {pretty}
    </pre>
  );
}
