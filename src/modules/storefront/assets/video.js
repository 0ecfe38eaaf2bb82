// Product videos: HLS where the browser plays it natively (Safari), through hls.js elsewhere (MSE), else the
// MP4 <source> inside the element plays. Sets data-playback so tests and support can see which path was taken.
for (const video of document.querySelectorAll('video[data-hls]')) {
  const playlist = video.dataset.hls;
  if (video.canPlayType('application/vnd.apple.mpegurl')) {
    video.src = playlist;
    video.dataset.playback = 'native-hls';
  } else if (window.Hls?.isSupported()) {
    const hls = new window.Hls({ capLevelToPlayerSize: true });
    hls.loadSource(playlist);
    hls.attachMedia(video);
    hls.on(window.Hls.Events.MANIFEST_PARSED, () => {
      video.dataset.playback = 'hls.js';
    });
    hls.on(window.Hls.Events.ERROR, (_event, data) => {
      if (!data.fatal) return;
      hls.destroy();
      video.removeAttribute('src');
      video.load();
      video.dataset.playback = 'mp4';
    });
  } else {
    video.dataset.playback = 'mp4';
  }
}
