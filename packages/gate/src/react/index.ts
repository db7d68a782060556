import { type CSSProperties, createElement, type ReactElement, useEffect, useRef } from 'react';
import { type Flow, GateRamp, type GateRampOptions, type MountCallbacks } from '../browser/index.ts';

export interface GateWidgetProps extends Omit<GateRampOptions, 'flow'>, MountCallbacks {
  className?: string;
  style?: CSSProperties;
}

/**
 * One mounted widget per component. Safe under StrictMode (the first, discarded mount is unmounted before
 * its bootstrap returns and never adds an iframe) and on the server (nothing touches `window` until the
 * effect runs in a browser). Callbacks may change between renders without remounting.
 */
function useGateWidget(flow: Flow, props: GateWidgetProps): ReactElement {
  const container = useRef<HTMLDivElement>(null);
  const callbacks = useRef<MountCallbacks>(props);
  callbacks.current = props;
  const { publishableKey, clientSecret, environment, apiBaseUrl, iframeUrl } = props;
  useEffect(() => {
    if (!container.current) return;
    let ramp: GateRamp;
    try {
      ramp = new GateRamp({ publishableKey, clientSecret, environment, apiBaseUrl, iframeUrl, flow });
    } catch (error) {
      callbacks.current.onError?.({ message: (error as Error).message });
      return;
    }
    ramp
      .mount(container.current, {
        onSuccess: (result) => callbacks.current.onSuccess?.(result),
        onError: (error) => callbacks.current.onError?.(error),
        onClose: () => callbacks.current.onClose?.(),
        onUnavailable: (info) => callbacks.current.onUnavailable?.(info),
      })
      .catch((error: Error) => callbacks.current.onError?.({ message: error.message }));
    return () => ramp.unmount();
  }, [publishableKey, clientSecret, environment, apiBaseUrl, iframeUrl, flow]);
  return createElement('div', { ref: container, className: props.className, style: props.style });
}

export function GateOnRamp(props: GateWidgetProps): ReactElement {
  return useGateWidget('on_ramp', props);
}

export function GateOffRamp(props: GateWidgetProps): ReactElement {
  return useGateWidget('off_ramp', props);
}

export function GateSwap(props: GateWidgetProps): ReactElement {
  return useGateWidget('swap', props);
}
