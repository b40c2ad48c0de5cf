// express hello-world for bench/register-overhead.ts: listens on 127.0.0.1:0, prints the port.
'use strict'
const express = require('express')
const app = express()
app.get('/', (req, res) => res.send('hello world'))
const server = app.listen(0, '127.0.0.1', () => process.stdout.write(`PORT ${server.address().port}\n`))
