/** /promotions/*: the list, the form (new and edit) and one promotion's tabs. */
import { Route, Routes } from 'react-router-dom';
import { PromotionsList } from './list/promotions-list';
import { PromotionFormPage } from './form/promotion-form';
import { PromotionDetail } from './detail/promotion-detail';

export function PromotionsPage() {
  return (
    <Routes>
      <Route index element={<PromotionsList />} />
      <Route path="new" element={<PromotionFormPage />} />
      <Route path=":id/edit" element={<PromotionFormPage />} />
      <Route path=":id/:tab?" element={<PromotionDetail />} />
    </Routes>
  );
}
