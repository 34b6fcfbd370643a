import type { ComponentChildren } from 'preact';

/** A wide table's scroll box: focusable, so keyboard users can scroll it too. */
export function TableScroll({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard (WCAG 2.1.1)
    <section class="table-scroll" aria-label={label} tabIndex={0}>
      {children}
    </section>
  );
}
