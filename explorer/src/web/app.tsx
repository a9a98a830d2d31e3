/**
 * The explorer's shell: a skip link, the navigation, the page for the current hash route, the live-update
 * connection and one polite aria-live region that announces what changed (a new dispute, a request answered).
 * On a route change the page title takes the focus, so keyboard and screen-reader users land on the new page.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import { connectLiveEvents, type LiveEvents } from './api/live-events.ts'
import { AnnounceContext, LiveContext } from './live-context.ts'
import { DisputesPage } from './pages/disputes-page.tsx'
import { FeedsPage } from './pages/feeds-page.tsx'
import { OperatorsPage } from './pages/operators-page.tsx'
import { RequestPage } from './pages/request-page.tsx'
import { RequestsPage } from './pages/requests-page.tsx'
import { parseRoute, type Route } from './route/parse-route.ts'

const NAV: { href: string; label: string; pages: Route['page'][] }[] = [
  { href: '#/', label: 'Requests', pages: ['requests', 'request'] },
  { href: '#/feeds', label: 'Feeds', pages: ['feeds'] },
  { href: '#/operators', label: 'Operators', pages: ['operators'] },
  { href: '#/disputes', label: 'Disputes', pages: ['disputes'] },
]

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'requests':
      return <RequestsPage status={route.status} />
    case 'request':
      return <RequestPage requestId={route.requestId} />
    case 'feeds':
      return <FeedsPage />
    case 'operators':
      return <OperatorsPage />
    case 'disputes':
      return <DisputesPage />
    default:
      return (
        <section aria-labelledby="page-title">
          <h1 id="page-title" tabIndex={-1}>
            Not found
          </h1>
          <p>
            No page at <code>#{route.hash}</code>. <a href="#/">See the requests.</a>
          </p>
        </section>
      )
  }
}

export function App() {
  const [route, setRoute] = useState<Route>(() => parseRoute(location.hash))
  const [live, setLive] = useState<LiveEvents | undefined>()
  const [connected, setConnected] = useState(false)
  const [announcement, setAnnouncement] = useState('')
  const shownPage = useRef<string | undefined>(undefined)

  useEffect(() => {
    const onHash = () => setRoute(parseRoute(location.hash))
    addEventListener('hashchange', onHash)
    return () => removeEventListener('hashchange', onHash)
  }, [])

  useEffect(() => {
    const events = connectLiveEvents(setConnected)
    setLive(events)
    const stop = events.subscribe((e) => {
      if (e.type === 'dispute' && e.data.status === 'open') setAnnouncement(`Dispute raised on: ${e.data.question.slice(0, 100)}`)
    })
    return () => {
      stop()
      events.close()
    }
  }, [])

  // Focus the new page's title after navigation to another page (not on the first load, where the browser starts
  // at the top anyway, and not when a filter changes the route: the focus stays on the filter).
  useEffect(() => {
    const previous = shownPage.current
    shownPage.current = route.page === 'request' ? `request:${route.requestId}` : route.page
    if (previous !== undefined && previous !== shownPage.current) document.getElementById('page-title')?.focus()
  }, [route])

  const announce = useCallback((text: string) => setAnnouncement(text), [])

  return (
    <LiveContext.Provider value={live}>
      <AnnounceContext.Provider value={announce}>
        <a class="skip-link" href="#main" onClick={(e) => {
          e.preventDefault()
          document.getElementById('page-title')?.focus()
        }}>
          Skip to content
        </a>
        <header class="site-header">
          <p class="brand">
            <a href="#/">Sibyl explorer</a>
          </p>
          <nav aria-label="Main">
            <ul>
              {NAV.map((n) => (
                <li key={n.href}>
                  <a href={n.href} aria-current={n.pages.includes(route.page) ? 'page' : undefined}>
                    {n.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          <p class={connected ? 'live live-on' : 'live live-off'}>{connected ? 'Live' : 'Connecting…'}</p>
        </header>
        <main id="main">
          <Page route={route} />
        </main>
        <div class="visually-hidden" role="status" aria-live="polite" aria-atomic="true">
          {announcement}
        </div>
        <footer class="site-footer">
          <p>
            Read-only; no wallet needed. The same data as JSON: <a href="/api/requests">/api/requests</a>, <a href="/api/feeds">/api/feeds</a>,{' '}
            <a href="/api/operators">/api/operators</a>, <a href="/api/disputes">/api/disputes</a>.
          </p>
        </footer>
      </AnnounceContext.Provider>
    </LiveContext.Provider>
  )
}
