import { createSignal } from 'solid-js';

const [now, setNow] = createSignal(Date.now());
setInterval(() => setNow(Date.now()), 1_000);

/** The current time, ticking once a second: ages and countdowns read it. */
export const currentTime = now;
