import { DoctorPage } from '../pages/DoctorPage.tsx';
import { HomePage } from '../pages/HomePage.tsx';
import { NursePage } from '../pages/NursePage.tsx';

/** Three entry points, each its own URL so a nursing home can bookmark its page. */
export function App() {
  switch (location.pathname.replace(/\/+$/, '')) {
    case '/nurse':
      return <NursePage />;
    case '/doctor':
      return <DoctorPage />;
    default:
      return <HomePage />;
  }
}
