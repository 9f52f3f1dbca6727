import type { ReactNode } from 'react';

// No favicon request (its 404 would be a console error).
export const metadata = { title: 'react-partial-images · Next.js', icons: { icon: 'data:,' } };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
