/*
 * Omni demo store: a small shop built on the browser SDK alone (window.Omni, /sdk/omni.js).
 * The catalog comes from the store API, the cart is Omni's live cart (the same cart the
 * customer has in the app, on the hotline or at the counter), and sign-in is played by the demo
 * backend (/demo/v1/sign-in), which mints the customer token a real shop's backend would.
 * Product Added / Removed and Cart Viewed are recorded by the cart API itself; the page sends
 * only what the server cannot see: page views and Product Viewed.
 * Plain JS, no build step.
 */
/* global window, document, location, localStorage, fetch, URLSearchParams, setTimeout, clearTimeout, addEventListener */
(function () {
  'use strict';

  var MESSAGES = {
    vi: {
      tagline: 'cửa hàng demo',
      signIn: 'Đăng nhập',
      signOut: 'Đăng xuất',
      cart: 'Giỏ hàng',
      heroTitle: 'Mua sắm một giỏ hàng, mọi kênh',
      heroText: 'Thêm sản phẩm, đăng nhập, mở thêm một cửa sổ: giỏ hàng của bạn đồng bộ tức thì — trên web, ứng dụng, tổng đài hay tại quầy.',
      products: 'Sản phẩm',
      search: 'Tìm sản phẩm…',
      yourCart: 'Giỏ hàng của bạn',
      live: 'Trực tiếp',
      promoCode: 'Mã khuyến mãi',
      apply: 'Áp dụng',
      placeOrder: 'Đặt hàng',
      syncNote: 'Giỏ hàng được lưu trên Omni và đồng bộ giữa các thiết bị.',
      signInTitle: 'Đăng nhập',
      signInText: 'Chọn một khách hàng demo, hoặc nhập email / số điện thoại của khách hàng demo.',
      emailOrPhone: 'Email hoặc số điện thoại',
      signInNote: 'Bản demo không có mật khẩu: chỉ khách hàng trong dữ liệu demo mới đăng nhập được.',
      footer: 'Omni Demo Store — dữ liệu minh hoạ. Giỏ hàng, khuyến mãi và tồn kho do Omni cung cấp.',
      emptyCart: 'Giỏ hàng đang trống.',
      emptyCartHint: 'Chọn “Thêm vào giỏ” ở một sản phẩm bất kỳ.',
      addToCart: 'Thêm vào giỏ',
      soldOut: 'Hết hàng',
      inStock: 'Còn {n}',
      lowStock: 'Chỉ còn {n}',
      added: 'Đã thêm “{name}” vào giỏ',
      removed: 'Đã xoá “{name}” khỏi giỏ',
      remove: 'Xoá',
      subtotal: 'Tạm tính',
      discount: 'Giảm giá',
      total: 'Tổng cộng',
      codeApplied: 'Đã áp dụng',
      need_tier: 'Chỉ dành cho hạng {list}',
      need_first_order: 'Chỉ cho đơn đầu tiên',
      need_birthday_month: 'Trong tháng sinh nhật',
      need_birthday_missing: 'Cần ngày sinh trong hồ sơ',
      need_self_reported: 'Thông tin tự khai chưa được cửa hàng xác nhận',
      need_channel_type: 'Chỉ áp dụng trên {list}',
      need_channel_type_not: 'Không áp dụng trên {list}',
      need_total_spent: 'Tổng chi tiêu từ {money}',
      need_order_count: 'Đã có ít nhất {count} đơn hàng',
      need_cart_subtotal: 'Giỏ hàng từ {money}',
      need_spend_more: 'Mua thêm {money} để được giảm {saving}',
      need_spend_more_qualify: 'Mua thêm {money} để đủ điều kiện',
      need_items_more: 'Thêm {count} sản phẩm phù hợp',
      need_items_more_free: 'Thêm {count} sản phẩm phù hợp để được tặng {free}',
      need_empty_cart: 'Thêm sản phẩm vào giỏ hàng',
      need_code_required: 'Nhập mã khuyến mãi',
      need_code_unknown: 'Mã không tồn tại',
      need_code_used_up: 'Mã đã hết lượt sử dụng',
      need_usage_limit: 'Chương trình đã hết lượt sử dụng',
      need_customer_limit: 'Bạn đã dùng hết số lần cho phép',
      need_budget_exhausted: 'Chương trình đã hết ngân sách',
      need_not_active: 'Chương trình không còn chạy',
      need_not_started: 'Chương trình chưa bắt đầu',
      need_ended: 'Chương trình đã kết thúc',
      type_web: 'website',
      type_app: 'ứng dụng',
      type_pos: 'cửa hàng',
      type_marketplace: 'sàn TMĐT',
      or: ' hoặc ',
      codeNotApplied: 'Chưa đủ điều kiện',
      codeDenied: 'Không dùng được',
      codeAdded: 'Đã thêm mã {code}',
      noProducts: 'Không tìm thấy sản phẩm phù hợp.',
      loadFailed: 'Không tải được cửa hàng: {msg}',
      demoOff: 'Cửa hàng demo chưa sẵn sàng trên máy chủ này: {msg}',
      signedInAs: 'Xin chào, {name}',
      welcome: 'Chào mừng {name}! Giỏ hàng của bạn đã được gộp.',
      welcomeBack: 'Chào mừng {name}!',
      signedOut: 'Bạn đã đăng xuất.',
      needEmail: 'Nhập email hoặc số điện thoại.',
      ordered: 'Đặt hàng thành công! Mã đơn: {id}',
      each: '{price} / sp',
      loadMore: 'Xem thêm',
      viewed: 'Chi tiết sản phẩm',
      unitsLeft: 'Kho có thể bán: {n}',
      close: 'Đóng',
      tierGold: 'Vàng',
      tierSilver: 'Bạc',
      tierMember: 'Thành viên',
      networkError: 'Mất kết nối, vui lòng thử lại.',
    },
    en: {
      tagline: 'demo store',
      signIn: 'Sign in',
      signOut: 'Sign out',
      cart: 'Cart',
      heroTitle: 'One cart, every channel',
      heroText: 'Add products, sign in, open a second window: your cart syncs at once — on the web, in the app, on the hotline or at the counter.',
      products: 'Products',
      search: 'Search products…',
      yourCart: 'Your cart',
      live: 'Live',
      promoCode: 'Promotion code',
      apply: 'Apply',
      placeOrder: 'Place order',
      syncNote: 'Your cart lives in Omni and follows you across devices.',
      signInTitle: 'Sign in',
      signInText: 'Pick a demo customer, or type a demo customer’s email or phone.',
      emailOrPhone: 'Email or phone',
      signInNote: 'The demo has no passwords: only customers from the demo data can sign in.',
      footer: 'Omni Demo Store — sample data. Cart, promotions and stock by Omni.',
      emptyCart: 'Your cart is empty.',
      emptyCartHint: 'Press “Add to cart” on any product.',
      addToCart: 'Add to cart',
      soldOut: 'Sold out',
      inStock: '{n} in stock',
      lowStock: 'Only {n} left',
      added: 'Added “{name}” to your cart',
      removed: 'Removed “{name}” from your cart',
      remove: 'Remove',
      subtotal: 'Subtotal',
      discount: 'Discount',
      total: 'Total',
      codeApplied: 'Applied',
      need_tier: 'Only for {list} tier',
      need_first_order: 'First order only',
      need_birthday_month: 'In your birthday month',
      need_birthday_missing: 'Needs a birthday on your profile',
      need_self_reported: 'Self-reported details the shop has not confirmed',
      need_channel_type: 'Only on {list}',
      need_channel_type_not: 'Not on {list}',
      need_total_spent: 'Total spent at least {money}',
      need_order_count: 'At least {count} orders',
      need_cart_subtotal: 'Cart subtotal at least {money}',
      need_spend_more: 'Add {money} more to get {saving} off',
      need_spend_more_qualify: 'Add {money} more to qualify',
      need_items_more: 'Add {count} more eligible item(s)',
      need_items_more_free: 'Add {count} more eligible item(s) to get {free} free',
      need_empty_cart: 'Add items to the cart',
      need_code_required: 'Enter the promotion code',
      need_code_unknown: 'No such code',
      need_code_used_up: 'The code has been used up',
      need_usage_limit: 'No uses left',
      need_customer_limit: 'You have used it the maximum number of times',
      need_budget_exhausted: 'The budget is used up',
      need_not_active: 'The promotion is not running',
      need_not_started: 'The promotion has not started yet',
      need_ended: 'The promotion has ended',
      type_web: 'the website',
      type_app: 'the app',
      type_pos: 'stores',
      type_marketplace: 'marketplaces',
      or: ' or ',
      codeNotApplied: 'Not eligible yet',
      codeDenied: 'Cannot be used',
      codeAdded: 'Code {code} added',
      noProducts: 'No products match.',
      loadFailed: 'Could not load the store: {msg}',
      demoOff: 'The demo store is not ready on this server: {msg}',
      signedInAs: 'Hi, {name}',
      welcome: 'Welcome, {name}! Your carts were joined.',
      welcomeBack: 'Welcome, {name}!',
      signedOut: 'You signed out.',
      needEmail: 'Type an email or a phone number.',
      ordered: 'Order placed! Order id: {id}',
      each: '{price} each',
      loadMore: 'Show more',
      viewed: 'Product details',
      unitsLeft: 'Available to sell: {n}',
      close: 'Close',
      tierGold: 'Gold',
      tierSilver: 'Silver',
      tierMember: 'Member',
      networkError: 'Connection lost, please try again.',
    },
  };

  var LANG_KEY = 'omni_demo_lang';
  var SESSION_KEY = 'omni_demo_customer';
  var lang = readStorage(LANG_KEY) === 'en' ? 'en' : 'vi';

  var state = { omni: null, config: null, products: [], cart: null, customer: null, query: '', busy: {} };
  var $ = function (id) { return document.getElementById(id); };

  function readStorage(key) {
    try { return localStorage.getItem(key); } catch { return null; }
  }
  function writeStorage(key, value) {
    try { if (value === null) localStorage.removeItem(key); else localStorage.setItem(key, value); } catch { /* storage blocked */ }
  }

  function t(key, vars) {
    var text = (MESSAGES[lang] && MESSAGES[lang][key]) || MESSAGES.vi[key] || key;
    if (vars) Object.keys(vars).forEach(function (k) { text = text.split('{' + k + '}').join(String(vars[k])); });
    return text;
  }
  function money(minor, currency) {
    return new Intl.NumberFormat(lang === 'en' ? 'en-US' : 'vi-VN', { style: 'currency', currency: currency || 'VND', maximumFractionDigits: 0 }).format(minor);
  }
  /**
   * A promotion reason in the shopper's language, from its machine-readable need
   * ({ code: 'tier', values: ['gold'] }); null when the code is not one of the common ones.
   */
  function needText(need, currency) {
    var list = function (values, keyOf) {
      return (values || []).map(function (v) { var k = keyOf(String(v).toLowerCase()); var s = t(k); return s === k ? v : s; }).join(t('or'));
    };
    var tierKey = function (v) { return 'tier' + v.charAt(0).toUpperCase() + v.slice(1); };
    var typeKey = function (v) { return 'type_' + v; };
    switch (need && need.code) {
      case 'tier': return t('need_tier', { list: list(need.values, tierKey) });
      case 'channel_type': return t(need.negate ? 'need_channel_type_not' : 'need_channel_type', { list: list(need.values, typeKey) });
      case 'total_spent': case 'cart_subtotal': return need.negate ? null : t('need_' + need.code, { money: money(need.amount || 0, currency) });
      case 'order_count': return need.negate ? null : t('need_order_count', { count: need.count || 0 });
      case 'first_order': case 'birthday_month': return need.negate ? null : t('need_' + need.code);
      case 'spend_more':
        return need.saving ? t('need_spend_more', { money: money(need.amount || 0, currency), saving: money(need.saving, currency) }) : t('need_spend_more_qualify', { money: money(need.amount || 0, currency) });
      case 'items_more': return need.free ? t('need_items_more_free', { count: need.count || 0, free: need.free }) : t('need_items_more', { count: need.count || 0 });
      case 'birthday_missing': case 'self_reported': case 'empty_cart': case 'code_required': case 'code_unknown': case 'code_used_up': case 'usage_limit':
      case 'customer_limit': case 'budget_exhausted': case 'not_active': case 'not_started': case 'ended':
        return t('need_' + need.code);
      default: return null;
    }
  }
  /** The reasons of a code or promotion: translated when every need is known, else the server's English message. */
  function reasonText(needs, message, currency) {
    var said = (needs || []).map(function (n) { return needText(n, currency); });
    return said.length > 0 && said.every(function (x) { return x !== null; }) ? said.join('; ') : message || '';
  }
  function number(n) { return new Intl.NumberFormat(lang === 'en' ? 'en-US' : 'vi-VN').format(n); }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) {
      var v = attrs[k];
      if (v === undefined || v === null || v === false) return;
      if (k === 'text') node.textContent = v;
      else if (k === 'onclick') node.addEventListener('click', v);
      else if (k === 'className') node.className = v;
      else node.setAttribute(k, v === true ? '' : v);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return node;
  }

  /* Pictures: the demo catalog has none, so each product gets a line icon (Tabler Icons, MIT) on a soft gradient. */
  var ICONS = {
    shirt: ['M15 4l6 2v5h-3v8a1 1 0 0 1 -1 1h-10a1 1 0 0 1 -1 -1v-8h-3v-5l6 -2a3 3 0 0 0 6 0'],
    jacket: ['M16 3l-4 5l-4 -5', 'M12 19a2 2 0 0 1 -2 2h-4a2 2 0 0 1 -2 -2v-8.172a2 2 0 0 1 .586 -1.414l.828 -.828a2 2 0 0 0 .586 -1.414v-2.172a2 2 0 0 1 2 -2h8a2 2 0 0 1 2 2v2.172a2 2 0 0 0 .586 1.414l.828 .828a2 2 0 0 1 .586 1.414v8.172a2 2 0 0 1 -2 2h-4a2 2 0 0 1 -2 -2', 'M20 13h-3a1 1 0 0 0 -1 1v2a1 1 0 0 0 1 1h3', 'M4 17h3a1 1 0 0 0 1 -1v-2a1 1 0 0 0 -1 -1h-3', 'M12 19v-11'],
    hanger: ['M14 6a2 2 0 1 0 -4 0c0 1.667 .67 3 2 4h-.008l7.971 4.428a2 2 0 0 1 1.029 1.749v.823a2 2 0 0 1 -2 2h-14a2 2 0 0 1 -2 -2v-.823a2 2 0 0 1 1.029 -1.749l7.971 -4.428'],
    shoe: ['M4 6h5.426a1 1 0 0 1 .863 .496l1.064 1.823a3 3 0 0 0 1.896 1.407l4.677 1.114a4 4 0 0 1 3.074 3.89v2.27a1 1 0 0 1 -1 1h-16a1 1 0 0 1 -1 -1v-10a1 1 0 0 1 1 -1', 'M14 13l1 -2', 'M8 18v-1a4 4 0 0 0 -4 -4h-1', 'M10 12l1.5 -3'],
    kitchen: ['M19 3v12h-5c-.023 -3.681 .184 -7.406 5 -12m0 12v6h-1v-3m-10 -14v17m-3 -17v3a3 3 0 1 0 6 0v-3'],
    bottle: ['M10 5h4v-2a1 1 0 0 0 -1 -1h-2a1 1 0 0 0 -1 1v2', 'M14 3.5c0 1.626 .507 3.212 1.45 4.537l.05 .07a8.093 8.093 0 0 1 1.5 4.694v6.199a2 2 0 0 1 -2 2h-6a2 2 0 0 1 -2 -2v-6.2c0 -1.682 .524 -3.322 1.5 -4.693l.05 -.07a7.823 7.823 0 0 0 1.45 -4.537', 'M7 14.803a2.4 2.4 0 0 0 1 -.803a2.4 2.4 0 0 1 2 -1a2.4 2.4 0 0 1 2 1a2.4 2.4 0 0 0 2 1a2.4 2.4 0 0 0 2 -1a2.4 2.4 0 0 1 1 -.805'],
    sun: ['M8 12a4 4 0 1 0 8 0a4 4 0 1 0 -8 0', 'M3 12h1m8 -9v1m8 8h1m-9 8v1m-6.4 -15.4l.7 .7m12.1 -.7l-.7 .7m0 11.4l.7 .7m-12.1 -.7l-.7 .7'],
    droplet: ['M7.502 19.423c2.602 2.105 6.395 2.105 8.996 0c2.602 -2.105 3.262 -5.708 1.566 -8.546l-4.89 -7.26c-.42 -.625 -1.287 -.803 -1.936 -.397a1.376 1.376 0 0 0 -.41 .397l-4.893 7.26c-1.695 2.838 -1.035 6.441 1.567 8.546'],
    bag: ['M6.331 8h11.339a2 2 0 0 1 1.977 2.304l-1.255 8.152a3 3 0 0 1 -2.966 2.544h-6.852a3 3 0 0 1 -2.965 -2.544l-1.255 -8.152a2 2 0 0 1 1.977 -2.304', 'M9 11v-5a3 3 0 0 1 6 0v5'],
    cart: ['M4 19a2 2 0 1 0 4 0a2 2 0 1 0 -4 0', 'M15 19a2 2 0 1 0 4 0a2 2 0 1 0 -4 0', 'M17 17h-11v-14h-2', 'M6 5l14 1l-1 7h-13'],
    gift: ['M3 9a1 1 0 0 1 1 -1h16a1 1 0 0 1 1 1v2a1 1 0 0 1 -1 1h-16a1 1 0 0 1 -1 -1l0 -2', 'M12 8l0 13', 'M19 12v7a2 2 0 0 1 -2 2h-10a2 2 0 0 1 -2 -2v-7', 'M7.5 8a2.5 2.5 0 0 1 0 -5a4.8 8 0 0 1 4.5 5a4.8 8 0 0 1 4.5 -5a2.5 2.5 0 0 1 0 5'],
    tag: ['M6.5 7.5a1 1 0 1 0 2 0a1 1 0 1 0 -2 0', 'M3 6v5.172a2 2 0 0 0 .586 1.414l7.71 7.71a2.41 2.41 0 0 0 3.408 0l5.592 -5.592a2.41 2.41 0 0 0 0 -3.408l-7.71 -7.71a2 2 0 0 0 -1.414 -.586h-5.172a3 3 0 0 0 -3 3'],
  };
  var PICTURES = [
    [/khoác/i, 'jacket'], [/váy|sơ mi/i, 'hanger'], [/áo|quần|jean/i, 'shirt'], [/giày|dép/i, 'shoe'], [/nồi|chiên|dao/i, 'kitchen'], [/bình/i, 'bottle'],
    [/chống nắng/i, 'sun'], [/son|rửa mặt|sữa/i, 'droplet'],
  ];
  function icon(name, size) {
    var ns = 'http://www.w3.org/2000/svg';
    var svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('width', String(size));
    svg.setAttribute('height', String(size));
    svg.setAttribute('fill', 'none');
    svg.setAttribute('stroke', 'currentColor');
    svg.setAttribute('stroke-width', size > 30 ? '1.3' : '1.8');
    svg.setAttribute('stroke-linecap', 'round');
    svg.setAttribute('stroke-linejoin', 'round');
    svg.setAttribute('aria-hidden', 'true');
    (ICONS[name] || ICONS.bag).forEach(function (d) {
      var path = document.createElementNS(ns, 'path');
      path.setAttribute('d', d);
      svg.appendChild(path);
    });
    return svg;
  }
  function pictureOf(title, size) {
    for (var i = 0; i < PICTURES.length; i++) if (PICTURES[i][0].test(title)) return icon(PICTURES[i][1], size || 64);
    return icon('bag', size || 64);
  }
  var TINTS = [['#fff1e6', '#ffd8a8'], ['#e7f5ff', '#a5d8ff'], ['#ebfbee', '#b2f2bb'], ['#f3f0ff', '#d0bfff'], ['#fff0f6', '#fcc2d7'], ['#fff9db', '#ffec99'], ['#e6fcf5', '#96f2d7']];
  function tintOf(key) {
    var h = 0;
    for (var i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) >>> 0;
    var c = TINTS[h % TINTS.length];
    return 'background: linear-gradient(135deg, ' + c[0] + ', ' + c[1] + ')';
  }
  function initials(name) {
    var parts = String(name || '?').trim().split(/\s+/);
    return (parts.length > 1 ? parts[parts.length - 2][0] + parts[parts.length - 1][0] : parts[0].slice(0, 2)).toUpperCase();
  }
  function tierLabel(tier) {
    return tier === 'gold' ? t('tierGold') : tier === 'silver' ? t('tierSilver') : t('tierMember');
  }

  var toastTimer;
  function toast(message, bad) {
    var box = $('toast');
    box.textContent = message;
    box.className = 'toast' + (bad ? ' bad' : '');
    box.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { box.hidden = true; }, bad ? 4200 : 2400);
  }
  function errorText(err) {
    if (err && err.message && err.message !== 'Failed to fetch') return err.message;
    return t('networkError');
  }

  /* ------------------------------------------------------------ static text */
  function applyLanguage() {
    document.documentElement.lang = lang;
    document.querySelectorAll('[data-i18n]').forEach(function (node) { node.textContent = t(node.getAttribute('data-i18n')); });
    document.querySelectorAll('[data-i18n-placeholder]').forEach(function (node) { node.setAttribute('placeholder', t(node.getAttribute('data-i18n-placeholder'))); });
    $('lang-toggle').textContent = lang === 'vi' ? 'EN' : 'VI';
    var cartIcon = $('cart-icon');
    if (cartIcon && !cartIcon.firstChild) cartIcon.appendChild(icon('cart', 18));
    renderProducts();
    renderCart();
    renderWho();
    renderPicker();
  }

  /* --------------------------------------------------------------- catalog */
  function variantsOf(products) {
    var list = [];
    products.forEach(function (p) {
      p.variants.forEach(function (v) {
        list.push({ productId: p.id, title: p.title, description: p.description, sku: v.sku, variant: p.variants.length > 1 || (v.title && v.title !== p.title) ? v.title : '', price: v.price, currency: v.currency, available: v.available });
      });
    });
    return list;
  }

  function loadProducts() {
    var q = new URLSearchParams({ limit: '100' });
    if (state.query) q.set('q', state.query);
    var asked = state.query;
    return fetch('/store/v1/products?' + q, { headers: { 'x-omni-write-key': state.config.writeKey } })
      .then(function (res) { return res.json().then(function (body) { if (!res.ok) throw new Error((body.error && body.error.message) || res.statusText); return body; }); })
      .then(function (body) {
        if (asked !== state.query) return;
        state.products = variantsOf(body.data);
        renderProducts();
      })
      .catch(function (err) { showNotice(t('loadFailed', { msg: errorText(err) })); });
  }

  function renderProducts() {
    var grid = $('grid');
    if (!state.config) return;
    grid.textContent = '';
    if (state.products.length === 0) {
      grid.appendChild(el('p', { className: 'muted', text: t('noProducts') }));
      return;
    }
    state.products.forEach(function (p) {
      var out = p.available <= 0;
      var stock = out ? t('soldOut') : p.available <= 5 ? t('lowStock', { n: number(p.available) }) : t('inStock', { n: number(p.available) });
      var card = el('article', { className: 'card', 'data-testid': 'product-card', 'data-sku': p.sku }, [
        el('button', { className: 'thumb', type: 'button', style: tintOf(p.productId), 'aria-label': t('viewed') + ': ' + p.title, onclick: function () { openProduct(p); } }, [
          pictureOf(p.title),
          out ? el('span', { className: 'tag', text: t('soldOut') }) : null,
        ]),
        el('div', { className: 'card-body' }, [
          el('div', { className: 'card-title', text: p.title }),
          p.variant ? el('div', { className: 'card-variant', text: p.variant }) : null,
          el('div', { className: 'stock' + (out ? ' out' : ''), 'data-testid': 'product-stock', text: stock }),
          el('div', { className: 'card-foot' }, [
            el('span', { className: 'price', text: money(p.price, p.currency) }),
            el('button', { className: 'btn primary add', type: 'button', 'data-testid': 'add-to-cart', disabled: out || state.busy[p.sku], onclick: function () { addToCart(p); } }, [out ? t('soldOut') : t('addToCart')]),
          ]),
        ]),
      ]);
      grid.appendChild(card);
    });
  }

  function openProduct(p) {
    state.omni.track('Product Viewed', { product_id: p.productId, sku: p.sku, name: p.title, variant: p.variant || undefined, price: p.price, currency: p.currency });
    var box = $('product-detail');
    box.textContent = '';
    var out = p.available <= 0;
    box.appendChild(el('div', { className: 'modal-head' }, [el('h2', { text: p.title }), el('button', { className: 'icon-btn', type: 'button', 'aria-label': t('close'), onclick: function () { $('product-dialog').close(); } }, ['✕'])]));
    box.appendChild(el('div', { className: 'thumb', style: tintOf(p.productId) }, [pictureOf(p.title)]));
    if (p.variant) box.appendChild(el('p', { className: 'muted', text: p.variant }));
    if (p.description) box.appendChild(el('p', { text: p.description }));
    box.appendChild(el('p', { className: 'stock' + (out ? ' out' : ''), text: out ? t('soldOut') : t('unitsLeft', { n: number(p.available) }) }));
    box.appendChild(el('div', { className: 'card-foot' }, [
      el('span', { className: 'price', text: money(p.price, p.currency) }),
      el('button', { className: 'btn primary', type: 'button', disabled: out, onclick: function () { $('product-dialog').close(); addToCart(p); } }, [out ? t('soldOut') : t('addToCart')]),
    ]));
    $('product-dialog').showModal();
  }

  /* ------------------------------------------------------------------ cart */
  function cartCall(promise, okMessage) {
    return promise
      .then(function (cart) { if (okMessage) toast(okMessage); return cart; })
      .catch(function (err) {
        if (err && err.code === 'customer_token_required') return resetShopper();
        toast((err && err.code === 'coupon_denied' ? t('codeDenied') + ': ' : '') + errorText(err), true);
      });
  }

  function addToCart(p) {
    state.busy[p.sku] = true;
    renderProducts();
    return cartCall(state.omni.cart.add(p.sku, 1), t('added', { name: p.title })).then(function () {
      delete state.busy[p.sku];
      renderProducts();
    });
  }

  var lastQuantities = {};
  function renderCart() {
    var cart = state.cart;
    var body = $('cart-body');
    if (!body) return;
    var count = cart ? cart.itemCount : 0;
    $('cart-count').textContent = String(count);
    body.textContent = '';
    var currency = (cart && cart.currency) || (state.config && state.config.currency) || 'VND';
    if (!cart || cart.lines.length === 0) {
      body.appendChild(el('div', { className: 'cart-empty' }, [el('span', { className: 'big' }, [icon('cart', 40)]), el('div', { text: t('emptyCart') }), el('div', { text: t('emptyCartHint') })]));
    } else {
      cart.lines.forEach(function (line) {
        var changed = lastQuantities[line.sku] !== undefined && lastQuantities[line.sku] !== line.quantity;
        var row = el('div', { className: 'line' + (changed ? ' flash' : ''), 'data-testid': 'cart-line', 'data-sku': line.sku }, [
          el('div', { className: 'line-thumb', style: tintOf(line.productId || line.sku) }, [pictureOf(line.title, 22)]),
          el('div', null, [
            el('div', { className: 'line-title', text: line.title }),
            el('div', { className: 'line-meta', text: t('each', { price: money(line.unitPrice, currency) }) }),
            line.discount > 0 ? el('div', { className: 'line-discount', text: '−' + money(line.discount, currency) }) : null,
          ]),
          el('div', { className: 'line-right' }, [
            el('span', { className: 'line-total', text: money(line.total, currency) }),
            el('span', { className: 'qty' }, [
              el('button', { type: 'button', 'aria-label': '−', 'data-testid': 'cart-dec', onclick: function () { cartCall(state.omni.cart.set(line.sku, line.quantity - 1)); } }, ['−']),
              el('span', { 'data-testid': 'cart-qty', text: String(line.quantity) }),
              el('button', { type: 'button', 'aria-label': '+', 'data-testid': 'cart-inc', disabled: line.quantity >= line.available, onclick: function () { cartCall(state.omni.cart.set(line.sku, line.quantity + 1)); } }, ['+']),
            ]),
            el('button', { className: 'remove', type: 'button', 'data-testid': 'cart-remove', onclick: function () { cartCall(state.omni.cart.remove(line.sku), t('removed', { name: line.title })); } }, [t('remove')]),
          ]),
        ]);
        body.appendChild(row);
      });
      (cart.gifts || []).forEach(function (g) {
        body.appendChild(el('div', { className: 'line' }, [el('div', { className: 'line-thumb', style: tintOf(g.sku) }, [icon('gift', 22)]), el('div', null, [el('div', { className: 'line-title', text: g.title + ' × ' + g.quantity })]), el('span', { className: 'line-total', text: money(0, currency) })]));
      });
    }
    lastQuantities = {};
    (cart ? cart.lines : []).forEach(function (l) { lastQuantities[l.sku] = l.quantity; });

    var codes = $('codes');
    codes.textContent = '';
    (cart ? cart.codes || [] : []).forEach(function (c) {
      var label = c.status === 'applied' ? t('codeApplied') : c.status === 'denied' ? t('codeDenied') : t('codeNotApplied');
      codes.appendChild(el('span', { className: 'code-chip ' + c.status, 'data-testid': 'cart-code', title: reasonText(c.needs, c.message, currency) }, [
        c.code + ' · ' + label,
        el('button', { type: 'button', 'aria-label': t('remove'), onclick: function () { cartCall(state.omni.cart.removeCode(c.code)); } }, ['✕']),
      ]));
    });

    var totals = $('totals');
    totals.textContent = '';
    if (cart && cart.lines.length > 0) {
      totals.appendChild(el('dt', { text: t('subtotal') }));
      totals.appendChild(el('dd', { text: money(cart.subtotal, currency) }));
      (cart.promotions || []).forEach(function (p) {
        totals.appendChild(el('dt', { className: 'promo-row', 'data-testid': 'cart-promotion', text: p.name + (p.code ? ' (' + p.code + ')' : '') }));
        totals.appendChild(el('dd', { className: 'promo-row', text: '−' + money(p.amount, currency) }));
      });
      if (cart.discountTotal > 0 && (!cart.promotions || cart.promotions.length === 0)) {
        totals.appendChild(el('dt', { className: 'promo-row', text: t('discount') }));
        totals.appendChild(el('dd', { className: 'promo-row', text: '−' + money(cart.discountTotal, currency) }));
      }
      totals.appendChild(el('dt', { className: 'grand', text: t('total') }));
      totals.appendChild(el('dd', { className: 'grand', 'data-testid': 'cart-total', text: money(cart.total, currency) }));
    }
    $('checkout').disabled = !cart || cart.lines.length === 0;
  }

  function onCart(cart) {
    state.cart = cart;
    renderCart();
  }

  /* ---------------------------------------------------------------- people */
  function renderWho() {
    var c = state.customer;
    $('who').hidden = !c;
    $('sign-in-open').hidden = !!c;
    if (c) {
      var name = c.name || c.email || c.phone || '';
      $('signed-in-as').textContent = name + (c.email && c.name ? ' · ' + c.email : '');
      $('signed-in-as').title = [c.name, c.email, c.phone].filter(Boolean).join(' · ');
      $('who-avatar').textContent = initials(name);
    }
  }

  function renderPicker() {
    var box = $('picker');
    if (!box || !state.config) return;
    box.textContent = '';
    state.config.customers.forEach(function (c) {
      box.appendChild(el('button', { className: 'pick', type: 'button', 'data-testid': 'sign-in-pick', 'data-email': c.email, onclick: function () { $('sign-in-email').value = c.email; signIn(c.email); } }, [
        el('span', { className: 'avatar', text: initials(c.name) }),
        el('span', null, [el('div', { className: 'pick-name', text: c.name || c.email }), el('div', { className: 'pick-mail', text: c.email })]),
        el('span', { className: 'tier ' + (c.tier || ''), text: tierLabel(c.tier) }),
      ]));
    });
  }

  function signIn(value) {
    value = String(value || '').trim();
    var error = $('sign-in-error');
    if (!value) { error.textContent = t('needEmail'); error.hidden = false; return; }
    error.hidden = true;
    $('sign-in-submit').disabled = true;
    var body = value.indexOf('@') >= 0 ? { email: value } : { phone: value };
    body.anonymousId = state.omni.anonymousId;
    fetch('/demo/v1/sign-in', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      .then(function (res) { return res.json().then(function (json) { if (!res.ok) throw new Error((json.error && json.error.message) || res.statusText); return json; }); })
      .then(function (session) {
        writeStorage(SESSION_KEY, JSON.stringify(session));
        useSession(session);
        $('sign-in-dialog').close();
        $('sign-in-email').value = '';
        var c = session.customer;
        state.omni.identify(c.userId || undefined, c.email ? { email: c.email } : { phone: c.phone });
        toast(t(session.guestJoined ? 'welcome' : 'welcomeBack', { name: c.name || c.email || c.phone }));
      })
      .catch(function (err) { error.textContent = errorText(err); error.hidden = false; })
      .then(function () { $('sign-in-submit').disabled = false; });
  }

  function useSession(session) {
    state.customer = session ? session.customer : null;
    state.omni.setCustomerToken(session ? session.token : null);
    renderWho();
    cartCall(state.omni.cart.get());
  }

  /**
   * A new shopper on this browser: the demo backend ends the guest (its anonymous id now belongs
   * to the customer), then the page starts over with a new one.
   */
  function resetShopper() {
    var done = function () {
      writeStorage(SESSION_KEY, null);
      writeStorage('omni_aid', null);
      document.cookie = 'omni_aid=; Max-Age=0; Path=/; SameSite=Lax';
      location.reload();
    };
    fetch('/demo/v1/sign-out', { method: 'POST' }).then(done, done);
  }

  function storedSession() {
    try {
      var s = JSON.parse(readStorage(SESSION_KEY) || 'null');
      return s && s.token && new Date(s.expiresAt).getTime() > Date.now() ? s : null;
    } catch {
      return null;
    }
  }

  /* ------------------------------------------------------------- checkout */
  function placeOrder() {
    var button = $('checkout');
    button.disabled = true;
    state.omni.cart.checkout('started')
      .then(function () { return state.omni.cart.placeOrder(); })
      .then(function (order) { toast(t('ordered', { id: order.id })); })
      .catch(function (err) { toast(errorText(err), true); })
      .then(function () { renderCart(); loadProducts(); });
  }

  function showNotice(text) {
    var box = $('notice');
    box.textContent = text;
    box.hidden = false;
  }

  function toggleCart(open) {
    $('cart-panel').classList.toggle('open', open);
    $('scrim').hidden = !open;
  }

  /* ------------------------------------------------------------------ start */
  function wire() {
    $('lang-toggle').addEventListener('click', function () {
      lang = lang === 'vi' ? 'en' : 'vi';
      writeStorage(LANG_KEY, lang);
      applyLanguage();
    });
    $('sign-in-open').addEventListener('click', function () { $('sign-in-error').hidden = true; $('sign-in-dialog').showModal(); $('sign-in-email').focus(); });
    $('sign-in-submit').addEventListener('click', function () { signIn($('sign-in-email').value); });
    $('sign-in-email').addEventListener('keydown', function (e) { if (e.key === 'Enter') { e.preventDefault(); signIn($('sign-in-email').value); } });
    $('sign-out').addEventListener('click', function () { toast(t('signedOut')); resetShopper(); });
    $('cart-open').addEventListener('click', function () { toggleCart(true); });
    $('cart-close').addEventListener('click', function () { toggleCart(false); });
    $('scrim').addEventListener('click', function () { toggleCart(false); });
    $('checkout').addEventListener('click', placeOrder);
    $('promo-form').addEventListener('submit', function (e) {
      e.preventDefault();
      var code = $('promo-code').value.trim().toUpperCase();
      if (!code) return;
      cartCall(state.omni.cart.addCode(code), t('codeAdded', { code: code })).then(function (cart) { if (cart) $('promo-code').value = ''; });
    });
    var timer;
    $('search').addEventListener('input', function (e) {
      clearTimeout(timer);
      timer = setTimeout(function () { state.query = e.target.value.trim(); loadProducts(); }, 250);
    });
    // Signed in or out in another window of this browser: follow it.
    addEventListener('storage', function (e) {
      if (e.key !== SESSION_KEY || !state.omni) return;
      var s = storedSession();
      if (!s) { location.reload(); return; }
      useSession(s);
    });
  }

  function start() {
    wire();
    applyLanguage();
    $('grid').appendChild(el('div', { className: 'skeleton' }));
    fetch('/demo/v1/config')
      .then(function (res) { return res.json().then(function (body) { if (!res.ok) throw new Error((body.error && body.error.message) || res.statusText); return body; }); })
      .then(function (config) {
        state.config = config;
        // The guest the demo backend issued (its proof stays in an HttpOnly cookie): the only one
        // its sign-in joins to a customer.
        state.omni = window.Omni.init({ host: location.origin, writeKey: config.writeKey, anonymousId: config.anonymousId });
        state.omni.page('Cửa hàng demo');
        var session = storedSession();
        if (session) { state.customer = session.customer; state.omni.setCustomerToken(session.token); }
        renderWho();
        renderPicker();
        state.omni.cart.subscribe(onCart);
        cartCall(state.omni.cart.get());
        return loadProducts();
      })
      .catch(function (err) {
        $('grid').textContent = '';
        showNotice(t('demoOff', { msg: errorText(err) }));
      });
  }

  start();
})();
