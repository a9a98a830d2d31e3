/** The explorer's entry point: mounts the app into index.html's #app. */
import { render } from 'preact'
import { App } from './app.tsx'
import './styles.css'

render(<App />, document.getElementById('app')!)
