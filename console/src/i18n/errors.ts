import { defineMessages } from '../lib/i18n';

/**
 * The server's error codes in words. Codes whose server message names what is wrong (a field, a
 * SKU) keep that message after a translated lead; the others are said here in full.
 */
export const errorMessages = defineMessages({
  vi: {
    network: 'Không kết nối được máy chủ. Kiểm tra mạng rồi thử lại.',
    unauthorized: 'Phiên đăng nhập đã hết. Vui lòng đăng nhập lại.',
    forbidden: 'Vai trò của bạn không được phép thực hiện thao tác này.',
    insufficient_stock: 'Không đủ hàng: {sku} cần {requested}, chỉ còn {available} có thể bán trên kênh này.',
    cart_conflict: 'Giỏ hàng vừa được thay đổi ở nơi khác. Đã cập nhật, vui lòng thử lại.',
    cart_empty: 'Giỏ hàng đang trống.',
    cart_closed: 'Giỏ hàng này đã được đặt hàng hoặc đã đóng.',
    product_unavailable: 'Sản phẩm này hiện không bán trên kênh này.',
    promotion_unavailable: 'Khuyến mãi hoặc mã này không còn dùng được.',
    coupon_denied: 'Không dùng được mã khuyến mãi này.',
    price_changed: 'Giá đã thay đổi. Vui lòng kiểm tra lại đơn hàng.',
    invalid_transition: 'Không thể chuyển đơn hàng sang trạng thái này.',
    rate_limited: 'Quá nhiều yêu cầu. Vui lòng thử lại sau giây lát.',
    rate_limited_wait: 'Quá nhiều lần thử không thành công. Vui lòng thử lại sau {retryAfter} giây.',
    internal: 'Máy chủ gặp lỗi. Vui lòng thử lại; nếu vẫn lỗi, báo kèm mã yêu cầu.',
    unavailable: 'Máy chủ tạm thời không phục vụ được. Vui lòng thử lại sau.',
    not_found: 'Không tìm thấy: {message}',
    invalid: 'Dữ liệu chưa hợp lệ: {message}',
    conflict: 'Xung đột dữ liệu: {message}',
  },
  en: {
    network: 'Cannot reach the server. Check the connection and try again.',
    unauthorized: 'Your session has ended. Please sign in again.',
    forbidden: 'Your role is not allowed to do this.',
    insufficient_stock: 'Not enough stock: {sku} needs {requested}, only {available} can be sold on this channel.',
    cart_conflict: 'The cart was just changed elsewhere. It is up to date now; please try again.',
    cart_empty: 'The cart is empty.',
    cart_closed: 'This cart has been ordered or closed.',
    product_unavailable: 'This product is not sold on this channel right now.',
    promotion_unavailable: 'This promotion or code can no longer be used.',
    coupon_denied: 'This promotion code cannot be used.',
    price_changed: 'The price has changed. Please check the order again.',
    invalid_transition: 'The order cannot move to this status.',
    rate_limited: 'Too many requests. Please try again in a moment.',
    rate_limited_wait: 'Too many failed attempts. Please try again in {retryAfter} seconds.',
    internal: 'The server hit an error. Please try again; if it persists, report it with the request id.',
    unavailable: 'The server cannot serve this right now. Please try again later.',
    not_found: 'Not found: {message}',
    invalid: 'Invalid input: {message}',
    conflict: 'Conflict: {message}',
  },
});
