// Command app-redirect-remove is the Lambda function of the portal route "app-redirect-remove".
package main

import "github.com/bank/devportal/shared/app"

func main() { app.StartHTTP("app-redirect-remove") }
