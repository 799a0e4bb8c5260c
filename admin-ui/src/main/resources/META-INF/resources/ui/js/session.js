// session.js: the token, kept for this browser tab's session only (sessionStorage): closing the
// tab forgets it, and it is never written to localStorage or a cookie.
const KEY = 'broker.console.token';

export const session = {
  get token() {
    return sessionStorage.getItem(KEY) || '';
  },
  set token(value) {
    if (value) sessionStorage.setItem(KEY, value);
    else sessionStorage.removeItem(KEY);
  },
};
