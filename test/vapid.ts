/**
 * A VAPID pair of the tests' own, generated once (`npx web-push generate-vapid-keys`): production
 * refuses the development pair, so production-profile configurations in tests carry this one.
 */
export const TEST_VAPID = {
  VAPID_PUBLIC_KEY: 'BJIoj4Wa4zp7jM0kT99nQoxxF_hOSI9hr3LwkH599HBSKBuHyHKr2k3cvOxyXtZNFO5lVdM7oE1guq8c445l8Zk',
  VAPID_PRIVATE_KEY: 'clNbDKq6eujaz13QaP1Sk4YD22c0wsUhiuSdoguY0to',
  VAPID_SUBJECT: 'mailto:push-tests@lyceum.test',
}
