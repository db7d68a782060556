// The partner page: ask our server for a session, mount the widget, show its events. (Plain JS, no build.)
const log = (line) => {
  document.getElementById('events').textContent += `${line}\n`;
};
if (location.pathname === '/done') document.getElementById('done-banner').hidden = false;

let ramp = null;
let orderId = null;

async function refreshOrder() {
  if (!orderId) return;
  const order = await fetch(`/api/orders/${orderId}`).then((r) => r.json());
  document.getElementById('order-status').textContent = order.status;
}
setInterval(refreshOrder, 1000);

async function open(flow) {
  const config = await fetch('/config.json').then((r) => r.json());
  const created = await fetch('/api/orders', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ flow: flow || null }),
  }).then((r) => r.json());
  orderId = created.orderId;
  document.getElementById('order').textContent = orderId;
  ramp?.unmount();
  const options = {
    publishableKey: config.publishableKey,
    clientSecret: created.clientSecret,
    environment: 'development',
    apiBaseUrl: config.apiBaseUrl,
    iframeUrl: config.iframeUrl,
  };
  const factory = {
    on_ramp: GateJS.createGateOnRamp,
    off_ramp: GateJS.createGateOffRamp,
    swap: GateJS.createGateSwap,
  }[flow];
  ramp = factory ? factory(options) : new GateJS.GateRamp(options);
  try {
    await ramp.mount('#ramp', {
      onSuccess: ({ txId, sessionId }) => log(`success ${sessionId} ${txId}`),
      onError: ({ message }) => log(`error ${message}`),
      onClose: () => log('close'),
      onUnavailable: ({ reason }) => log(`unavailable ${reason}`),
    });
    log('ready');
  } catch (error) {
    log(`mount failed: ${error.name}: ${error.message}`);
  }
}

for (const button of document.querySelectorAll('button[data-flow]'))
  button.addEventListener('click', () => open(button.dataset.flow));
