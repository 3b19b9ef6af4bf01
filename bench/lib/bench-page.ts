// The benchmark RP's page (https://rp.example/bench), served by the system child and by the
// handlers contender alike.

/** What the RP page runs: one get() from the call to the token, timed in the page. */
export const BENCH_PAGE = `<!doctype html>
<meta charset="utf-8"><title>fedkit bench RP</title>
<script>
window.bench = async (configURL, clientId, nonce) => {
  const t0 = performance.now();
  try {
    const c = await navigator.credentials.get({ identity: { providers: [{ configURL, clientId, params: { nonce } }] }, mediation: 'required' });
    return { ms: performance.now() - t0, token: c.token };
  } catch (e) {
    return { ms: performance.now() - t0, error: e.name + ': ' + e.message };
  }
};
</script>
<p>fedkit benchmark relying party</p>`;
