import { AppProvider } from './provider.js';
import { Layout } from './layout.js';
import { AppRoutes } from './router.js';

export function App() {
  return (
    <AppProvider>
      <Layout>
        <AppRoutes />
      </Layout>
    </AppProvider>
  );
}
