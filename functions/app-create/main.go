// Command app-create is the Lambda function of the portal route "app-create".
package main

import "github.com/bank/devportal/shared/app"

func main() { app.StartHTTP("app-create") }
