import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { GateOffRamp, GateOnRamp, GateSwap } from '../src/react/index.ts';

describe('@0bit/gate/react on the server', () => {
  it('renders each component to a plain container without touching window or document', () => {
    expect(typeof (globalThis as { window?: unknown }).window).toBe('undefined');
    for (const Component of [GateOnRamp, GateOffRamp, GateSwap]) {
      const html = renderToString(
        createElement(Component, { publishableKey: 'pk_test_x', className: 'ramp' }),
      );
      expect(html).toBe('<div class="ramp"></div>');
    }
  });
});
