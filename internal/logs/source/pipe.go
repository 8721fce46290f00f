package source

import (
	"errors"
	"io"
	"sync"
)

// Decompression and parsing of one gzip stream run on two cores: a goroutine inflates into a ring of
// buffers while the reader's goroutine parses the buffers already filled. Inflating is the floor of reading
// flow logs (it costs about as much CPU as parsing and aggregating), so on one file the wall time approaches
// the larger of the two instead of their sum. Memory: pipeBuffers × pipeBufSize per stream being read.
const (
	pipeBufSize = 512 << 10
	pipeBuffers = 4
)

// pipe is an io.Reader fed by a producer goroutine reading src into a ring of buffers.
type pipe struct {
	full   chan []byte
	free   chan []byte
	done   chan struct{} // closed by Close: the producer stops
	exited chan struct{} // closed by the producer when it returns
	cur    []byte        // the buffer being consumed (its unread part)
	buf    []byte        // cur's whole buffer, to return to free
	err    error         // the producer's error, readable once full is closed
	once   sync.Once
}

// newPipe starts inflating src in its own goroutine. Close must be called (it waits for the goroutine).
func newPipe(src io.Reader) *pipe {
	p := &pipe{full: make(chan []byte, pipeBuffers), free: make(chan []byte, pipeBuffers), done: make(chan struct{}), exited: make(chan struct{})}
	for range pipeBuffers {
		p.free <- make([]byte, pipeBufSize)
	}
	go p.produce(src)
	return p
}

func (p *pipe) produce(src io.Reader) {
	defer close(p.exited)
	defer close(p.full)
	for {
		var buf []byte
		select {
		case buf = <-p.free:
		case <-p.done:
			return
		}
		// Fill the buffer completely (small reads would cost a channel round trip each).
		n := 0
		var err error
		for n < len(buf) && err == nil {
			var k int
			k, err = src.Read(buf[n:])
			n += k
		}
		if n > 0 {
			select {
			case p.full <- buf[:n]:
			case <-p.done:
				return
			}
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				p.err = err
			}
			return
		}
	}
}

func (p *pipe) Read(b []byte) (int, error) {
	for len(p.cur) == 0 {
		if p.buf != nil {
			p.free <- p.buf[:cap(p.buf)]
			p.buf = nil
		}
		buf, ok := <-p.full
		if !ok {
			if p.err != nil {
				return 0, p.err
			}
			return 0, io.EOF
		}
		p.cur, p.buf = buf, buf
	}
	n := copy(b, p.cur)
	p.cur = p.cur[n:]
	return n, nil
}

// Close stops the producer and waits for it, so that src may be closed after it.
func (p *pipe) Close() error {
	p.once.Do(func() { close(p.done) })
	<-p.exited
	return nil
}
