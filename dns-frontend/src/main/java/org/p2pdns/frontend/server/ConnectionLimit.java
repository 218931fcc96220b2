package org.p2pdns.frontend.server;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Closes TCP connections beyond a limit at once, so that idle clients cannot exhaust us. */
@ChannelHandler.Sharable
final class ConnectionLimit extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(ConnectionLimit.class);

  private final int max;
  private final AtomicInteger open = new AtomicInteger();
  private volatile long lastWarning;

  ConnectionLimit(int max) {
    this.max = max;
  }

  int open() {
    return open.get();
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    if (open.incrementAndGet() > max) {
      long now = System.nanoTime();
      if (now - lastWarning > 60_000_000_000L) {
        lastWarning = now;
        log.warn("more than {} DNS TCP connections: closing new ones (logged once a minute)",
            max);
      }
      ctx.close();
      return;
    }
    super.channelActive(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    open.decrementAndGet();
    super.channelInactive(ctx);
  }
}
